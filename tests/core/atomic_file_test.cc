#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support/test_support.h"

namespace meabridge::core {
namespace {

namespace fs = std::filesystem;
using testing::ReadFileOrDie;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AtomicFileTest, NothingAppearsBeforeCommit) {
  TempDir dir;
  auto f = AtomicFile::Create(dir.File("out.csv"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Write("a,b\r\n").ok());
  EXPECT_TRUE(Names(dir.path()).empty()) << "anonymous=" << (*f)->anonymous();
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(ReadFileOrDie(dir.File("out.csv")), "a,b\r\n");
}

TEST(AtomicFileTest, UncommittedLeavesNothingAndKeepsTheOldFile) {
  TempDir dir;
  WriteFile(dir.File("out.csv"), "old");
  {
    auto f = AtomicFile::Create(dir.File("out.csv"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write(std::string(1 << 20, 'x')).ok());
  }
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(ReadFileOrDie(dir.File("out.csv")), "old");
}

TEST(AtomicFileTest, CommitReplacesAnExistingFileKeepingItsMode) {
  TempDir dir;
  std::string path = dir.File("out.json");
  WriteFile(path, "old content, longer than the new one");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  auto f = AtomicFile::Create(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Write("new").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(ReadFileOrDie(path), "new");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.json"});
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(AtomicFileTest, ErrorsNameThePathAndTheCause) {
  TempDir dir;
  auto missing = AtomicFile::Create(dir.File("no/such/folder/out.csv"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir.File("no/such/folder/out.csv")), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("does not exist"), std::string::npos)
      << missing.status().message();
  auto folder = AtomicFile::Create(dir.path());
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("folder"), std::string::npos)
      << folder.status().message();
}

TEST(AtomicFileTest, ARelativePathWritesInTheWorkingDirectory) {
  TempDir dir;
  fs::path old = fs::current_path();
  fs::current_path(dir.path());
  auto f = AtomicFile::Create("rel.txt");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Write("x").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  fs::current_path(old);
  EXPECT_EQ(ReadFileOrDie(dir.File("rel.txt")), "x");
}

// The fallback for file systems without O_TMPFILE: a hidden file beside the target.
TEST(AtomicFileTest, HiddenFileFallbackCommitsAndCleansUp) {
  TempDir dir;
  std::string path = dir.File("out.csv");
  WriteFile(path, "old");
  {
    auto f = AtomicFile::Create(path, AtomicFile::Method::kHiddenFile);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_FALSE((*f)->anonymous());
    ASSERT_TRUE((*f)->Write("partial").ok());
    std::vector<std::string> names = Names(dir.path());
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[0].rfind(".out.csv.", 0), 0u) << names[0];
  }
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(ReadFileOrDie(path), "old");
  auto f = AtomicFile::Create(path, AtomicFile::Method::kHiddenFile);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Write("new").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(ReadFileOrDie(path), "new");
}

TEST(AtomicFileTest, HiddenFileIsRemovedBySigterm) {
  TempDir dir;
  std::string path = dir.File("out.csv");
  WriteFile(path, "old");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto f = AtomicFile::Create(path, AtomicFile::Method::kHiddenFile);
    if (!f.ok() || !(*f)->Write("partial").ok()) _exit(3);
    raise(SIGTERM);  // the handler removes the hidden file, then dies of the signal
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(ReadFileOrDie(path), "old");
}

}  // namespace
}  // namespace meabridge::core
