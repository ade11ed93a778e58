#include "model/registry.h"

#include <utility>

#include "core/strings.h"

namespace meabridge::model {
namespace {

using T = FieldType;

// Shorthands that keep the declarations below one line per field.
FieldSpec F(std::string name, FieldType type, std::string doc, std::string jsonld = "") {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.doc = std::move(doc);
  f.jsonld = std::move(jsonld);
  return f;
}
FieldSpec Required(FieldSpec f) {
  f.required = true;
  return f;
}
FieldSpec Indexed(FieldSpec f) {
  f.indexed = true;
  return f;
}
FieldSpec Vocab(FieldSpec f, std::string vocabulary) {
  f.vocabulary = std::move(vocabulary);
  return f;
}
// The field's name in the InforMEA V2 dialect, where the provider names it differently.
FieldSpec V2Name(FieldSpec f, std::string v2_name) {
  f.v2_name = std::move(v2_name);
  return f;
}
FieldSpec Items(FieldSpec f, std::vector<ItemFieldSpec> items) {
  f.item_fields = std::move(items);
  return f;
}
ItemFieldSpec I(std::string name, FieldType type, std::string doc, std::string vocabulary = "",
                bool required = false) {
  return ItemFieldSpec{std::move(name), type, std::move(vocabulary), required, std::move(doc)};
}

// The items of a files[] list as the provider's *File entities have them (DecisionFile,
// CountryReportFile, NationalPlanFile: url, mimeType, language, filename).
std::vector<ItemFieldSpec> FileItems() {
  return {I("url", T::kString, "Where the file is", "", true),
          I("mimeType", T::kString, "Media type"),
          I("language", T::kTerm, "Language of the file", "languages"),
          I("filename", T::kString, "File name")};
}

EntitySpec Entity(std::string set_name, std::string type_name, std::string name,
                  std::string key_doc, std::string jsonld_type, std::vector<FieldSpec> fields) {
  EntitySpec e;
  e.set_name = std::move(set_name);
  e.type_name = std::move(type_name);
  e.name = std::move(name);
  e.key_doc = std::move(key_doc);
  e.jsonld_type = std::move(jsonld_type);
  e.fields.push_back(
      Required(F("id", T::kString, "The record's key: " + e.key_doc, "schema:identifier")));
  e.fields.push_back(Indexed(F("updated", T::kDateTime,
                               "When the record last changed at its source (when the source does "
                               "not say: when meabridge first stored this version)",
                               "schema:dateModified")));
  for (FieldSpec& f : fields) e.fields.push_back(std::move(f));
  return e;
}

std::vector<EntitySpec> DesignEntities() {
  std::vector<EntitySpec> e;

  e.push_back(Entity(
      "Treaties", "Treaty", "treaties", "the treaty's machine name (cbd, cites, plant_treaty ...)",
      "schema:Legislation",
      {
          Required(F("title", T::kMultilingual, "Short title", "schema:name")),
          F("officialName", T::kMultilingual, "Full official title", "schema:alternateName"),
          F("description", T::kMultilingual, "What the treaty is about", "schema:description"),
          F("url", T::kString, "Home page", "schema:url"),
          Vocab(F("parent", T::kTerm, "Parent treaty, for protocols"), "treaties"),
          F("entryIntoForce", T::kDate, "Date of entry into force",
            "schema:legislationDateVersion"),
          F("depositary", T::kString, "Depositary of the treaty"),
      }));

  e.push_back(Entity(
      "Contacts", "Contact", "contacts", "the source's id of the focal point", "schema:Person",
      {
          Required(Indexed(
              Vocab(F("treaties", T::kStringList, "Treaties the person is a focal point for"),
                    "treaties"))),
          Indexed(Vocab(
              F("country", T::kTerm, "Country the focal point represents", "schema:nationality"),
              "countries")),
          F("prefix", T::kString, "Honorific: Mr., Ms., Dr. ...", "schema:honorificPrefix"),
          F("firstName", T::kString, "Given name", "schema:givenName"),
          F("lastName", T::kString, "Family name", "schema:familyName"),
          F("position", T::kString, "Job title", "schema:jobTitle"),
          F("institution", T::kString, "Organisation", "schema:worksFor"),
          F("department", T::kString, "Department within the institution"),
          F("type", T::kString, "Kind of focal point, as the source words it"),
          Items(F("roles", T::kItemList, "Roles per treaty"),
                {I("treaty", T::kTerm, "Treaty of the role", "treaties"),
                 I("role", T::kString, "The role, as the source words it", "", true)}),
          F("address", T::kText, "Postal address", "schema:address"),
          F("email", T::kString, "E-mail address", "schema:email"),
          V2Name(F("phone", T::kString, "Telephone number", "schema:telephone"), "phoneNumber"),
          F("fax", T::kString, "Fax number", "schema:faxNumber"),
          F("primary", T::kBool, "Primary focal point of its country"),
      }));

  e.push_back(Entity(
      "Memberships", "Membership", "memberships", "{treaty}:{country}, e.g. unfccc:FR",
      "informea:Membership",
      {
          Required(Indexed(Vocab(F("treaty", T::kTerm, "The treaty"), "treaties"))),
          Required(Indexed(Vocab(F("country", T::kTerm, "The party or signatory"), "countries"))),
          Required(Indexed(
              Vocab(F("status", T::kTerm, "Kind of the latest instrument"), "membership-status"))),
          F("signature", T::kDate, "Date of signature"),
          F("consent", T::kDate, "Date of the instrument of consent to be bound"),
          F("entryIntoForce", T::kDate, "Date the treaty entered into force for the party"),
          F("withdrawal", T::kDate, "Date of withdrawal"),
          F("declarations", T::kText, "Declarations made"),
          F("reservations", T::kText, "Reservations made"),
          F("notes", T::kText, "Notes (footnotes of the depositary)"),
      }));

  e.push_back(Entity(
      "Decisions", "Decision", "decisions", "the source's id of the decision", "schema:Legislation",
      {
          Required(Indexed(Vocab(F("treaty", T::kTerm, "The treaty"), "treaties"))),
          F("number", T::kString, "Decision number, e.g. SC-3/7", "schema:legislationIdentifier"),
          Vocab(F("type", T::kTerm, "decision, resolution or recommendation"), "decision-type"),
          Vocab(F("status", T::kTerm, "draft, active, adopted, revised, amended or retired"),
                "decision-status"),
          Required(F("title", T::kMultilingual, "Title", "schema:name")),
          F("longTitle", T::kMultilingual, "Long title", "schema:alternateName"),
          F("summary", T::kMultilingual, "Summary", "schema:abstract"),
          F("content", T::kMultilingual, "Full text", "schema:text"),
          F("link", T::kString, "Page of the decision", "schema:url"),
          Indexed(F("published", T::kDateTime, "Date of publication", "schema:datePublished")),
          F("meetingId", T::kString, "Id of the meeting that adopted it"),
          F("meetingTitle", T::kString, "Title of that meeting"),
          F("meetingUrl", T::kString, "Page of that meeting"),
          F("displayOrder", T::kInt, "Position in the source's listing"),
          Items(F("keywords", T::kItemList, "Glossary terms", "schema:keywords"),
                {I("term", T::kString, "Term URI, http://www.informea.org/terms/<slug>"),
                 I("label", T::kString, "Term label")}),
          Items(F("files", T::kItemList, "Attached documents", "schema:associatedMedia"),
                FileItems()),
      }));

  e.push_back(Entity(
      "Meetings", "Meeting", "meetings", "the source's id of the meeting", "schema:Event",
      {
          Required(Indexed(Vocab(F("treaty", T::kTerm, "The treaty"), "treaties"))),
          Required(F("title", T::kMultilingual, "Title", "schema:name")),
          F("description", T::kMultilingual, "Description", "schema:description"),
          Indexed(F("start", T::kDateTime, "Start", "schema:startDate")),
          F("end", T::kDateTime, "End", "schema:endDate"),
          F("repetition", T::kString, "How often it repeats (yearly ...)"),
          F("kind", T::kString, "official, partner ..."),
          Vocab(F("type", T::kTerm, "Kind of meeting (cop, mop ...)"), "meeting-type"),
          F("access", T::kString, "Who may attend (public ...)"),
          Vocab(F("status", T::kTerm, "confirmed, tentative, postponed ..."), "meeting-status"),
          F("location", T::kString, "Venue", "schema:location"),
          F("city", T::kString, "City"),
          Indexed(Vocab(F("country", T::kTerm, "Host country"), "countries")),
          F("latitude", T::kDouble, "Latitude of the venue", "schema:latitude"),
          F("longitude", T::kDouble, "Longitude of the venue", "schema:longitude"),
          F("virtual", T::kBool, "Held online"),
          F("url", T::kString, "Page of the meeting", "schema:url"),
          F("imageUrl", T::kString, "Image", "schema:image"),
          F("imageCopyright", T::kString, "Copyright of the image (the provider's Meeting.java)",
            "schema:copyrightNotice"),
      }));

  // The entities below follow the InforMEA OData provider of the InforMEA toolkit
  // (../shared/corpus/informea-toolkit/odata-provider/model/*.java, the EDM names of its
  // jpa_edm_mapping.xml, and the views of etc/informea_odata.sql): the field names are the
  // names the provider publishes, so that the InforMEA harvester reads them unchanged.

  // CountryReport.java, CountryReportTitle.java, CountryReportFile.java;
  // informea_country_reports, informea_country_reports_title, informea_country_reports_documents.
  e.push_back(Entity(
      "CountryReports", "CountryReport", "country_reports",
      "the source's id of the national report", "schema:Report",
      {
          Required(Indexed(Vocab(F("treaty", T::kTerm, "The treaty reported on"), "treaties"))),
          Required(Indexed(Vocab(F("country", T::kTerm, "The reporting party"), "countries"))),
          Required(F("title", T::kMultilingual, "Title", "schema:name")),
          Indexed(F("submission", T::kDateTime, "When the report was submitted",
                    "schema:datePublished")),
          F("url", T::kString, "Page of the report", "schema:url"),
          Items(F("files", T::kItemList, "The report's files", "schema:associatedMedia"),
                FileItems()),
      }));

  // NationalPlan.java, NationalPlanTitle.java, NationalPlanFile.java;
  // informea_national_plans, informea_national_plans_title, informea_national_plans_documents.
  e.push_back(Entity(
      "NationalPlans", "NationalPlan", "national_plans", "the source's id of the national plan",
      "informea:NationalPlan",
      {
          Required(Indexed(Vocab(F("treaty", T::kTerm, "The treaty"), "treaties"))),
          Required(
              Indexed(Vocab(F("country", T::kTerm, "The party whose plan it is"), "countries"))),
          Required(
              F("type", T::kString, "Kind of plan, as the source words it (nbsap, nip, napa ...)")),
          Required(F("title", T::kMultilingual, "Title", "schema:name")),
          F("url", T::kString, "Page of the plan", "schema:url"),
          Indexed(
              F("submission", T::kDateTime, "When the plan was submitted", "schema:datePublished")),
          Items(F("files", T::kItemList, "The plan's files", "schema:associatedMedia"),
                FileItems()),
      }));

  // Site.java, SiteName.java; informea_sites, informea_sites_name.
  e.push_back(Entity(
      "Sites", "Site", "sites", "the source's id of the site", "schema:Place",
      {
          Required(
              Indexed(Vocab(F("treaty", T::kTerm, "The treaty listing the site"), "treaties"))),
          Required(Indexed(Vocab(F("country", T::kTerm, "Country of the site"), "countries"))),
          Required(F("type", T::kString,
                     "Kind of site, as the source words it (the toolkit views write the treaty: "
                     "ramsar, whc)")),
          Required(F("name", T::kMultilingual, "Name of the site", "schema:name")),
          F("url", T::kString, "Page of the site", "schema:url"),
          F("latitude", T::kDouble, "Latitude", "schema:latitude"),
          F("longitude", T::kDouble, "Longitude", "schema:longitude"),
      }));

  // Document.java and its children (DocumentTitle ... DocumentType.java); informea_documents,
  // informea_documents_title, _description, _authors, _files, _identifiers, _keywords,
  // _references, _tags, _treaties, _types.
  e.push_back(Entity(
      "Documents", "Document", "documents", "the source's id of the document",
      "schema:DigitalDocument",
      {
          Indexed(Vocab(F("treaty", T::kTerm, "The treaty the document belongs to"), "treaties")),
          Indexed(Vocab(F("treaties", T::kStringList, "Every treaty the document concerns"),
                        "treaties")),
          Indexed(
              Vocab(F("country", T::kTerm, "Country the document is about or from"), "countries")),
          // The harvester's DocumentsODataMigration reads (and $expands) titles, descriptions.
          Required(V2Name(F("title", T::kMultilingual, "Title", "schema:name"), "titles")),
          V2Name(F("description", T::kMultilingual, "Description", "schema:description"),
                 "descriptions"),
          Indexed(F("published", T::kDateTime, "Date of publication", "schema:datePublished")),
          F("thumbnailUrl", T::kString, "Thumbnail image", "schema:thumbnailUrl"),
          F("displayOrder", T::kInt, "Position in the source's listing"),
          F("schemaVersion", T::kString, "Version of the provider's document schema"),
          F("types", T::kStringList, "Kinds of document, as the source words them"),
          Items(F("authors", T::kItemList, "Authors", "schema:author"),
                {I("name", T::kString, "Name of the author", "", true),
                 I("type", T::kString, "Kind of author (person, organisation ...)")}),
          Items(F("identifiers", T::kItemList, "Identifiers in other schemes"),
                {I("name", T::kString, "Scheme of the identifier (isbn, symbol ...)"),
                 I("value", T::kString, "The identifier", "", true)}),
          Items(F("keywords", T::kItemList, "Glossary terms", "schema:keywords"),
                {I("termURI", T::kString, "Term URI"),
                 I("scope", T::kString, "Vocabulary of the term (leo ...)"),
                 I("literalForm", T::kString, "Term label"),
                 I("sourceURL", T::kString, "Page of the term")}),
          Items(F("tags", T::kItemList, "Free tags"),
                {I("language", T::kTerm, "Language of the tag", "languages"),
                 I("scope", T::kString, "Vocabulary of the tag"),
                 I("value", T::kString, "The tag", "", true), I("comment", T::kString, "Comment")}),
          Items(F("referenceToEntities", T::kItemList, "Records the document refers to"),
                {I("type", T::kString, "Entity set of the record (decision, meeting ...)"),
                 I("refId", T::kString, "Id of the record", "", true)}),
          Items(
              F("files", T::kItemList, "The document's files", "schema:associatedMedia"),
              {I("url", T::kString, "Where the file is", "", true),
               I("content", T::kText, "Text of the file"), I("mimeType", T::kString, "Media type"),
               I("language", T::kTerm, "Language of the file", "languages"),
               I("filename", T::kString, "File name")}),
      }));

  return e;
}

}  // namespace

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case T::kString:
      return "string";
    case T::kText:
      return "text";
    case T::kMultilingual:
      return "multilingual";
    case T::kDate:
      return "date";
    case T::kDateTime:
      return "datetime";
    case T::kBool:
      return "bool";
    case T::kInt:
      return "int";
    case T::kDouble:
      return "double";
    case T::kStringList:
      return "string-list";
    case T::kItemList:
      return "item-list";
    case T::kTerm:
      return "term";
  }
  return "?";
}

const ItemFieldSpec* FieldSpec::ItemField(std::string_view item_field) const {
  for (const ItemFieldSpec& f : item_fields) {
    if (f.name == item_field) return &f;
  }
  return nullptr;
}

int EntitySpec::FieldIndex(std::string_view field) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field) return static_cast<int>(i);
  }
  return -1;
}

int EntitySpec::FieldIndex(std::string_view field, Dialect dialect) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].NameIn(dialect) == field) return static_cast<int>(i);
  }
  return -1;
}

const FieldSpec* EntitySpec::Field(std::string_view field) const {
  int i = FieldIndex(field);
  return i < 0 ? nullptr : &fields[static_cast<size_t>(i)];
}

Registry::Registry(std::vector<EntitySpec> entities) : entities_(std::move(entities)) {}

const Registry& Registry::Default() {
  static const Registry registry(DesignEntities());
  return registry;
}

const EntitySpec* Registry::Find(std::string_view name) const {
  for (const EntitySpec& e : entities_) {
    if (core::EqualsIgnoreCase(e.set_name, name) || core::EqualsIgnoreCase(e.name, name)) {
      return &e;
    }
  }
  return nullptr;
}

std::string Registry::SetNames() const {
  std::string out;
  for (const EntitySpec& e : entities_) {
    if (!out.empty()) out += ", ";
    out += e.set_name;
  }
  return out;
}

}  // namespace meabridge::model
