#include "vocab/treaties.h"

#include "vocab/table_vocabulary.h"

namespace meabridge::vocab {
namespace {

Term Treaty(std::string code, std::string title, std::vector<std::string> aliases,
            std::string parent = "") {
  Term t;
  t.code = std::move(code);
  t.label = std::move(title);
  t.aliases = std::move(aliases);
  t.parent = std::move(parent);
  return t;
}

}  // namespace

Result<std::unique_ptr<Vocabulary>> MakeTreaties() {
  TableVocabulary::Spec spec;
  spec.name = "treaties";
  spec.description =
      "Multilateral environmental agreements by InforMEA machine name, with the parent treaty "
      "of each protocol or daughter agreement";
  // Machine name, English title, other names sources use, parent. Machine names follow the
  // InforMEA API (cbd, plant_treaty ...); titles are the treaties' own English titles.
  spec.terms = {
      // Biodiversity
      Treaty("cbd", "Convention on Biological Diversity", {"CBD", "Biodiversity Convention"}),
      Treaty(
          "cartagena", "Cartagena Protocol on Biosafety to the Convention on Biological Diversity",
          {"Cartagena Protocol", "Cartagena Protocol on Biosafety", "Biosafety Protocol"}, "cbd"),
      Treaty("nagoya",
             "Nagoya Protocol on Access to Genetic Resources and the Fair and Equitable Sharing "
             "of Benefits Arising from their Utilization to the Convention on Biological "
             "Diversity",
             {"Nagoya Protocol", "Nagoya Protocol on Access and Benefit-sharing"}, "cbd"),
      Treaty("plant_treaty",
             "International Treaty on Plant Genetic Resources for Food and Agriculture",
             {"itpgrfa", "Plant Treaty"}),
      Treaty("cites",
             "Convention on International Trade in Endangered Species of Wild Fauna and Flora",
             {"CITES", "Washington Convention"}),
      Treaty("cms", "Convention on the Conservation of Migratory Species of Wild Animals",
             {"CMS", "Bonn Convention", "Convention on Migratory Species"}),
      Treaty("aewa", "Agreement on the Conservation of African-Eurasian Migratory Waterbirds",
             {"AEWA", "African-Eurasian Waterbird Agreement"}, "cms"),
      Treaty("ascobans",
             "Agreement on the Conservation of Small Cetaceans of the Baltic, North East "
             "Atlantic, Irish and North Seas",
             {"ASCOBANS"}, "cms"),
      Treaty("accobams",
             "Agreement on the Conservation of Cetaceans of the Black Sea, Mediterranean Sea and "
             "Contiguous Atlantic Area",
             {"ACCOBAMS"}, "cms"),
      Treaty("eurobats", "Agreement on the Conservation of Populations of European Bats",
             {"EUROBATS"}, "cms"),
      Treaty("acap", "Agreement on the Conservation of Albatrosses and Petrels", {"ACAP"}, "cms"),
      Treaty("gorilla", "Agreement on the Conservation of Gorillas and Their Habitats",
             {"Gorilla Agreement"}, "cms"),
      Treaty("ramsar",
             "Convention on Wetlands of International Importance especially as Waterfowl "
             "Habitat",
             {"Ramsar Convention", "Convention on Wetlands"}),
      Treaty("whc",
             "Convention Concerning the Protection of the World Cultural and Natural Heritage",
             {"WHC", "World Heritage Convention"}),
      Treaty("iwc", "International Convention for the Regulation of Whaling",
             {"IWC", "ICRW", "Whaling Convention"}),
      // Climate, desertification, ozone
      Treaty("unfccc", "United Nations Framework Convention on Climate Change",
             {"UNFCCC", "Climate Change Convention"}),
      Treaty("kyoto", "Kyoto Protocol to the United Nations Framework Convention on Climate Change",
             {"Kyoto Protocol"}, "unfccc"),
      Treaty("paris", "Paris Agreement", {}, "unfccc"),
      Treaty("unccd",
             "United Nations Convention to Combat Desertification in Those Countries Experiencing "
             "Serious Drought and/or Desertification, Particularly in Africa",
             {"UNCCD", "United Nations Convention to Combat Desertification",
              "Desertification Convention"}),
      Treaty("vienna", "Vienna Convention for the Protection of the Ozone Layer",
             {"Vienna Convention"}),
      Treaty("montreal", "Montreal Protocol on Substances that Deplete the Ozone Layer",
             {"Montreal Protocol"}, "vienna"),
      // Chemicals and wastes
      Treaty("basel",
             "Basel Convention on the Control of Transboundary Movements of Hazardous Wastes and "
             "their Disposal",
             {"Basel Convention"}),
      Treaty("rotterdam",
             "Rotterdam Convention on the Prior Informed Consent Procedure for Certain Hazardous "
             "Chemicals and Pesticides in International Trade",
             {"Rotterdam Convention", "PIC Convention"}),
      Treaty("stockholm", "Stockholm Convention on Persistent Organic Pollutants",
             {"Stockholm Convention", "POPs Convention"}),
      Treaty("minamata", "Minamata Convention on Mercury", {"Minamata Convention"}),
      // Regional seas
      Treaty("barcelona",
             "Convention for the Protection of the Marine Environment and the Coastal Region of "
             "the Mediterranean",
             {"Barcelona Convention"}),
      Treaty("cartagena_convention",
             "Convention for the Protection and Development of the Marine Environment of the "
             "Wider Caribbean Region",
             {"Cartagena Convention"}),
      Treaty("spaw",
             "Protocol Concerning Specially Protected Areas and Wildlife in the Wider Caribbean "
             "Region",
             {"SPAW Protocol"}, "cartagena_convention"),
      Treaty("unclos", "United Nations Convention on the Law of the Sea",
             {"UNCLOS", "Law of the Sea Convention"}),
      // UNECE environmental conventions
      Treaty("aarhus",
             "Convention on Access to Information, Public Participation in Decision-making and "
             "Access to Justice in Environmental Matters",
             {"Aarhus Convention"}),
      Treaty("espoo", "Convention on Environmental Impact Assessment in a Transboundary Context",
             {"Espoo Convention"}),
      Treaty("lrtap", "Convention on Long-range Transboundary Air Pollution",
             {"CLRTAP", "Air Convention"}),
  };
  MB_ASSIGN_OR_RETURN(std::unique_ptr<TableVocabulary> v, TableVocabulary::Build(std::move(spec)));
  for (const Term& t : v->terms()) {
    if (!t.parent.empty() && !v->FindCode(t.parent)) {
      return Status::Internal("vocabulary treaties: " + t.code + " has unknown parent " + t.parent);
    }
  }
  return std::unique_ptr<Vocabulary>(std::move(v));
}

}  // namespace meabridge::vocab
