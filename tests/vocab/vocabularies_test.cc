#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "system_vocabularies.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {
namespace {

TEST(VocabulariesTest, AllVocabulariesByName) {
  const Vocabularies& v = Vocabularies::System();
  EXPECT_EQ(v.Names(),
            "countries, treaties, membership-status, decision-type, decision-status, "
            "meeting-type, meeting-status, languages");
  for (const auto& vocabulary : v.all()) {
    EXPECT_EQ(v.Find(vocabulary->name()), vocabulary.get());
    EXPECT_FALSE(vocabulary->description().empty()) << vocabulary->name();
    EXPECT_FALSE(vocabulary->terms().empty()) << vocabulary->name();
  }
  EXPECT_EQ(v.Find("nope"), nullptr);
  EXPECT_EQ(v.Find("Countries"), nullptr);
}

TEST(VocabulariesTest, SystemIsOneSetSharedByThreads) {
  std::vector<const Vocabularies*> seen(8, nullptr);
  std::vector<std::string> resolved(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([i, &seen, &resolved] {
      seen[i] = &Vocabularies::System();
      for (int n = 0; n < 2000; ++n) {
        const Term* t = seen[i]->Find("countries")->Lookup("Bolivia (Plurinational State of)5");
        resolved[i] = t ? t->code : "<miss>";
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], &Vocabularies::System());
    EXPECT_EQ(resolved[i], "BO");
  }
}

TEST(VocabulariesTest, LoadGivesAnIndependentSet) {
  Result<std::unique_ptr<Vocabularies>> v = Vocabularies::Load();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_NE(v->get(), &Vocabularies::System());
  EXPECT_EQ((*v)->Find("countries")->Lookup("GBR")->code, "GB");
}

}  // namespace
}  // namespace meabridge::vocab
