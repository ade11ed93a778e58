#include "codec/byte_source.h"

#include <gtest/gtest.h>

#include <sstream>

#include "support/test_support.h"

namespace meabridge::codec {
namespace {

TEST(ByteSourceTest, MemoryAndFiles) {
  auto s = ByteSource::FromString("hello world", "m");
  char buf[4];
  EXPECT_EQ(*s->Read(buf, 4), 4u);
  EXPECT_EQ(std::string(buf, 4), "hell");
  EXPECT_EQ(*ReadAll(*s), "o world");
  EXPECT_EQ(*s->Read(buf, 4), 0u);
  EXPECT_EQ(s->name(), "m");

  std::string data(200000, 'x');
  auto v = ByteSource::FromView(data);
  EXPECT_EQ(ReadAll(*v)->size(), data.size());

  meabridge::testing::TempDir dir;
  meabridge::testing::WriteFile(dir.File("f"), data);
  auto f = ByteSource::FromFile(dir.File("f"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->name(), dir.File("f"));
  EXPECT_EQ(ReadAll(**f)->size(), data.size());
  auto missing = ByteSource::FromFile(dir.File("nope"));
  EXPECT_EQ(missing.status().code(), Status::Code::kIoError);
  EXPECT_NE(missing.status().message().find(dir.File("nope")), std::string::npos);
}

TEST(ByteSourceTest, ReadAllLimit) {
  auto s = ByteSource::FromString(std::string(100000, 'x'));
  auto r = ReadAll(*s, 1000);
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
}

TEST(ByteSinkTest, Sinks) {
  StringSink s;
  EXPECT_TRUE(s.Write("ab").ok());
  EXPECT_TRUE(s.Write("c").ok());
  EXPECT_EQ(s.data(), "abc");
  std::ostringstream os;
  OstreamSink o(os);
  EXPECT_TRUE(o.Write("xyz").ok());
  EXPECT_EQ(os.str(), "xyz");
}

}  // namespace
}  // namespace meabridge::codec
