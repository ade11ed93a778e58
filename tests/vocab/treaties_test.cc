#include <gtest/gtest.h>

#include <string>

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

TEST(TreatiesTest, MachineNamesAliasesAndTitles) {
  const Case cases[] = {
      {"cbd", "cbd"},
      {"CBD", "cbd"},
      {"Cbd", "cbd"},
      {" cbd ", "cbd"},
      {"Convention on Biological Diversity", "cbd"},
      {"convention on biological diversity", "cbd"},
      {"plant_treaty", "plant_treaty"},
      {"itpgrfa", "plant_treaty"},
      {"ITPGRFA", "plant_treaty"},
      {"Plant Treaty", "plant_treaty"},
      {"plant-treaty", "plant_treaty"},
      {"International Treaty on Plant Genetic Resources for Food and Agriculture", "plant_treaty"},
      {"cites", "cites"},
      {"CITES", "cites"},
      {"cms", "cms"},
      {"Bonn Convention", "cms"},
      {"ramsar", "ramsar"},
      {"Ramsar Convention", "ramsar"},
      {"Convention on Wetlands", "ramsar"},
      {"whc", "whc"},
      {"World Heritage Convention", "whc"},
      {"unfccc", "unfccc"},
      {"UNFCCC", "unfccc"},
      {"United Nations Framework Convention on Climate Change", "unfccc"},
      {"kyoto", "kyoto"},
      {"Kyoto Protocol", "kyoto"},
      {"paris", "paris"},
      {"Paris Agreement", "paris"},
      {"unccd", "unccd"},
      {"basel", "basel"},
      {"Basel Convention", "basel"},
      {"rotterdam", "rotterdam"},
      {"stockholm", "stockholm"},
      {"Stockholm Convention", "stockholm"},
      {"minamata", "minamata"},
      {"Minamata Convention on Mercury", "minamata"},
      {"montreal", "montreal"},
      {"Montreal Protocol", "montreal"},
      {"vienna", "vienna"},
      {"aewa", "aewa"},
      {"AEWA", "aewa"},
      {"cartagena", "cartagena"},
      {"Cartagena Protocol", "cartagena"},
      {"Cartagena Protocol on Biosafety", "cartagena"},
      {"Cartagena Convention", "cartagena_convention"},
      {"nagoya", "nagoya"},
      {"Nagoya Protocol", "nagoya"},
      {"eurobats", "eurobats"},
      {"ascobans", "ascobans"},
      {"accobams", "accobams"},
      {"iwc", "iwc"},
      {"ICRW", "iwc"},
      {"spaw", "spaw"},
      {"barcelona", "barcelona"},
      {"Barcelona Convention", "barcelona"},
      // misses
      {"", kMiss},
      {"Convention", kMiss},
      {"Protocol", kMiss},
      {"Kigali Amendment", kMiss},
      {"biodiversity", kMiss},
      {"cbd2", "cbd"},  // a trailing footnote digit
  };
  for (const Case& c : cases) EXPECT_EQ(Resolve(Vocab("treaties"), c.input), c.code) << c.input;
}

TEST(TreatiesTest, ProtocolsNameTheirParent) {
  const Case parents[] = {
      {"cartagena", "cbd"},
      {"nagoya", "cbd"},
      {"kyoto", "unfccc"},
      {"paris", "unfccc"},
      {"montreal", "vienna"},
      {"aewa", "cms"},
      {"eurobats", "cms"},
      {"ascobans", "cms"},
      {"accobams", "cms"},
      {"spaw", "cartagena_convention"},
      {"cbd", ""},
      {"unfccc", ""},
      {"cms", ""},
  };
  for (const Case& c : parents) {
    const Term* t = Vocab("treaties").FindCode(c.input);
    ASSERT_NE(t, nullptr) << c.input;
    EXPECT_EQ(t->parent, c.code) << c.input;
  }
}

TEST(TreatiesTest, DesignMachineNamesExist) {
  for (const char* code : {"cbd", "cites", "cms", "ramsar", "whc", "plant_treaty", "unfccc",
                           "unccd", "basel", "rotterdam", "stockholm", "minamata", "montreal",
                           "vienna", "aewa", "cartagena", "nagoya", "kyoto", "paris"}) {
    EXPECT_NE(Vocab("treaties").FindCode(code), nullptr) << code;
  }
  EXPECT_EQ(Vocab("treaties").FindCode("CBD"), nullptr);  // FindCode is exact
}

}  // namespace
}  // namespace meabridge::vocab
