#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "system_vocabularies.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {
namespace {

using testing::kMiss;
using testing::Resolve;
using testing::Vocab;

struct Case {
  const char* input;
  const char* code;
};

struct VocabCases {
  const char* vocabulary;
  std::vector<const char*> codes;  // every canonical code, in order
  std::vector<Case> cases;
};

void PrintTo(const VocabCases& v, std::ostream* os) { *os << v.vocabulary; }

class ClosedVocabularyTest : public ::testing::TestWithParam<VocabCases> {};

TEST_P(ClosedVocabularyTest, HasItsCodes) {
  std::vector<std::string> codes;
  for (const Term& t : Vocab(GetParam().vocabulary).terms()) codes.push_back(t.code);
  EXPECT_EQ(codes, std::vector<std::string>(GetParam().codes.begin(), GetParam().codes.end()));
  for (const char* code : GetParam().codes) {
    EXPECT_EQ(Resolve(Vocab(GetParam().vocabulary), code), code);
  }
}

TEST_P(ClosedVocabularyTest, Resolves) {
  for (const Case& c : GetParam().cases) {
    EXPECT_EQ(Resolve(Vocab(GetParam().vocabulary), c.input), c.code) << c.input;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ClosedVocabularyTest,
    ::testing::Values(VocabCases{"membership-status",
                                 {"signatory", "ratification", "accession", "acceptance",
                                  "approval", "succession", "definitive-signature", "withdrawal",
                                  "continuation"},
                                 {// UN Treaty Collection suffixes: exact case
                                  {"a", "accession"},
                                  {"A", "acceptance"},
                                  {"AA", "approval"},
                                  {"d", "succession"},
                                  {"s", "definitive-signature"},
                                  {" a ", "accession"},
                                  {"(a)", "accession"},
                                  {"(AA)", "approval"},
                                  {"D", kMiss},
                                  {"S", kMiss},
                                  {"aa", kMiss},
                                  {"Aa", kMiss},
                                  {"c", kMiss},
                                  {"r", kMiss},
                                  // words, any case
                                  {"Ratification", "ratification"},
                                  {"RATIFICATION", "ratification"},
                                  {"ratified", "ratification"},
                                  {"Accession", "accession"},
                                  {"accession", "accession"},
                                  {"Acceptance", "acceptance"},
                                  {"Approval", "approval"},
                                  {"Succession", "succession"},
                                  {"Signature", "signatory"},
                                  {"Signatory", "signatory"},
                                  {"Definitive signature", "definitive-signature"},
                                  {"definitive-signature", "definitive-signature"},
                                  {"DEFINITIVE SIGNATURE", "definitive-signature"},
                                  {"Withdrawal", "withdrawal"},
                                  {"Denunciation", "withdrawal"},
                                  {"Accession (a)", "accession"},
                                  {"Acceptance (A)", "acceptance"},
                                  {"Ratification 1/", "ratification"},
                                  {"", kMiss},
                                  {"Party", kMiss},
                                  {"Ratification-Acceptance", kMiss},
                                  // CITES' list of parties: the Russian Federation and Serbia
                                  {"Continuation", "continuation"},
                                  {"CONTINUATION", "continuation"},
                                  {"continuation", "continuation"},
                                  {"Continued", "continuation"}}},
                      VocabCases{"decision-type",
                                 {"decision", "resolution", "recommendation"},
                                 {{"Decision", "decision"},
                                  {"DECISION", "decision"},
                                  {"Resolution", "resolution"},
                                  {"resolutions", "resolution"},
                                  {"Recommendation", "recommendation"},
                                  {"Decree", kMiss},
                                  {"", kMiss}}},
                      VocabCases{"decision-status",
                                 {"draft", "active", "adopted", "revised", "amended", "retired"},
                                 {{"Draft", "draft"},
                                  {"ACTIVE", "active"},
                                  {"Adopted", "adopted"},
                                  {"Revised", "revised"},
                                  {"Amended", "amended"},
                                  {"Retired", "retired"},
                                  {"In force", "active"},
                                  {"Repealed", "retired"},
                                  {"Pending", kMiss}}},
                      VocabCases{"meeting-type",
                                 {"cop", "mop", "subsidiary", "standing-committee",
                                  "scientific-council", "animals-committee", "plants-committee",
                                  "technical-committee", "technical", "negotiation",
                                  "working-group", "expert", "workshop", "bureau", "regional",
                                  "webinar", "other"},
                                 {{"COP", "cop"},
                                  {"cop", "cop"},
                                  {"Conference of the Parties", "cop"},
                                  {"conference of the parties", "cop"},
                                  {"MOP", "mop"},
                                  {"Meeting of the Parties", "mop"},
                                  {"Working group", "working-group"},
                                  {"working_group", "working-group"},
                                  {"OEWG", "working-group"},
                                  {"Expert meeting", "expert"},
                                  {"Workshop", "workshop"},
                                  {"Bureau", "bureau"},
                                  {"Regional meeting", "regional"},
                                  {"Webinar", "webinar"},
                                  {"Other", "other"},
                                  {"Subsidiary body", "subsidiary"},
                                  // CMS's and AEWA's meeting-type taxonomy, as their InforMEA
                                  // views select it (lower-cased): stc, scc, technical meeting,
                                  // negotiation meeting
                                  {"stc", "standing-committee"},
                                  {"StC", "standing-committee"},
                                  {"Standing Committee", "standing-committee"},
                                  {"Meeting of the Standing Committee", "standing-committee"},
                                  {"scc", "scientific-council"},
                                  {"Scientific Council", "scientific-council"},
                                  {"Animals Committee", "animals-committee"},
                                  {"animals committee meeting", "animals-committee"},
                                  {"Plants Committee", "plants-committee"},
                                  {"Technical Committee", "technical-committee"},
                                  {"technical meeting", "technical"},
                                  {"Technical meeting", "technical"},
                                  {"negotiation meeting", "negotiation"},
                                  {"Expert meetings", "expert"},
                                  // ambiguous abbreviations stay misses
                                  {"SC", kMiss},
                                  {"AC", kMiss},
                                  {"PC", kMiss},
                                  {"Committee", kMiss},
                                  {"Conference", kMiss},
                                  {"Meeting", kMiss},
                                  {"", kMiss}}},
                      VocabCases{
                          "meeting-status",
                          {"confirmed", "tentative", "postponed", "cancelled", "nodate", "over"},
                          {{"Confirmed", "confirmed"},
                           {"TENTATIVE", "tentative"},
                           {"Postponed", "postponed"},
                           {"Cancelled", "cancelled"},
                           {"canceled", "cancelled"},
                           {"Canceled", "cancelled"},
                           {"nodate", "nodate"},
                           {"No date", "nodate"},
                           {"no-date", "nodate"},
                           {"Over", "over"},
                           {"Maybe", kMiss},
                           {"", kMiss}}}));

}  // namespace
}  // namespace meabridge::vocab
