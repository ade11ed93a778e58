#include "publish/odata_v4/csdl.h"

#include "publish/common.h"
#include "publish/odata/navigation.h"
#include "core/xml_text.h"

namespace meabridge::publish::odata_v4 {
namespace {

using model::FieldType;

std::string ScalarEdm(FieldType t) {
  switch (t) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
      return "Edm.String";
    case FieldType::kDate:
      return "Edm.Date";
    case FieldType::kDateTime:
      return "Edm.DateTimeOffset";
    case FieldType::kBool:
      return "Edm.Boolean";
    case FieldType::kInt:
      return "Edm.Int64";
    case FieldType::kDouble:
      return "Edm.Double";
    default:
      return "Edm.String";
  }
}

void Description(std::string& out, const std::string& doc, const char* indent) {
  if (doc.empty()) return;
  out += indent;
  out += "<Annotation Term=\"Core.Description\" String=\"" + core::XmlEscape(doc) + "\"/>\n";
}

}  // namespace

std::string ItemTypeName(const model::EntitySpec& entity, const model::FieldSpec& field) {
  return entity.type_name + odata::Capitalise(field.name) + "Item";
}

std::string EdmTypeOf(const model::EntitySpec& entity, const model::FieldSpec& field) {
  switch (field.type) {
    case FieldType::kMultilingual:
      return std::string(kNamespace) + ".Multilingual";
    case FieldType::kStringList:
      return "Collection(Edm.String)";
    case FieldType::kItemList:
      return "Collection(" + std::string(kNamespace) + "." + ItemTypeName(entity, field) + ")";
    default:
      return ScalarEdm(field.type);
  }
}

std::string RenderCsdl(const model::Registry& registry) {
  std::string ns = kNamespace;
  std::string out;
  out.reserve(32 * 1024);
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out += "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n";
  out +=
      "  <edmx:Reference Uri=\"https://oasis-tcs.github.io/odata-vocabularies/vocabularies/"
      "Org.OData.Core.V1.xml\">\n";
  out += "    <edmx:Include Namespace=\"Org.OData.Core.V1\" Alias=\"Core\"/>\n";
  out += "  </edmx:Reference>\n";
  out += "  <edmx:DataServices>\n";
  out +=
      "    <Schema Namespace=\"" + ns + "\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n";
  for (const model::EntitySpec& e : registry.entities()) {
    out += "      <EntityType Name=\"" + e.type_name + "\">\n";
    out += "        <Key><PropertyRef Name=\"id\"/></Key>\n";
    for (const model::FieldSpec& f : e.fields) {
      out += "        <Property Name=\"" + f.name + "\" Type=\"" + EdmTypeOf(e, f) + "\"";
      if (f.name == "id") out += " Nullable=\"false\"";
      if (f.type == FieldType::kDateTime) out += " Precision=\"3\"";
      std::string doc = f.doc;
      if (!f.vocabulary.empty()) doc += " (vocabulary: /vocab/" + f.vocabulary + ")";
      if (doc.empty()) {
        out += "/>\n";
      } else {
        out += ">\n";
        Description(out, doc, "          ");
        out += "        </Property>\n";
      }
    }
    for (const odata::Navigation& n : odata::NavigationsOf(e, registry)) {
      std::string type = ns + "." + n.target->type_name;
      out += "        <NavigationProperty Name=\"" + n.name + "\" Type=\"" +
             (n.collection ? "Collection(" + type + ")" : type) + "\">\n";
      Description(out,
                  "The " + n.target->set_name + " record(s) named by " +
                      e.fields[static_cast<size_t>(n.field)].name,
                  "          ");
      out += "        </NavigationProperty>\n";
    }
    out += "      </EntityType>\n";
    for (const model::FieldSpec& f : e.fields) {
      if (f.type != FieldType::kItemList) continue;
      out += "      <ComplexType Name=\"" + ItemTypeName(e, f) + "\">\n";
      for (const model::ItemFieldSpec& i : f.item_fields) {
        out += "        <Property Name=\"" + i.name + "\" Type=\"" + ScalarEdm(i.type) + "\"" +
               (i.required ? " Nullable=\"false\"" : "") + ">\n";
        Description(out, i.doc, "          ");
        out += "        </Property>\n";
      }
      out += "      </ComplexType>\n";
    }
  }
  // The six UN languages are declared; every other language (zh-hans and zh-hant, whose names
  // are no CSDL identifiers, among them) is a dynamic property of the open type.
  out += "      <ComplexType Name=\"Multilingual\" OpenType=\"true\">\n";
  for (const char* lang : kUnLanguages) {
    out += "        <Property Name=\"" + std::string(lang) + "\" Type=\"Edm.String\">\n";
    Description(out, std::string("The text in the language ") + lang, "          ");
    out += "        </Property>\n";
  }
  Description(out,
              "A text in several languages: one member per language code (ISO 639-1, "
              "zh-hans, zh-hant), e.g. {\"en\": \"...\", \"fr\": \"...\"}; the six UN "
              "languages are declared, the others are dynamic properties",
              "        ");
  out += "      </ComplexType>\n";
  out += "      <EntityContainer Name=\"Container\">\n";
  for (const model::EntitySpec& e : registry.entities()) {
    out += "        <EntitySet Name=\"" + e.set_name + "\" EntityType=\"" + ns + "." + e.type_name +
           "\">\n";
    for (const odata::Navigation& n : odata::NavigationsOf(e, registry)) {
      out += "          <NavigationPropertyBinding Path=\"" + n.name + "\" Target=\"" +
             n.target->set_name + "\"/>\n";
    }
    Description(out, "Key: " + e.key_doc, "          ");
    out += "        </EntitySet>\n";
  }
  out += "      </EntityContainer>\n";
  out += "    </Schema>\n";
  out += "  </edmx:DataServices>\n";
  out += "</edmx:Edmx>\n";
  return out;
}

}  // namespace meabridge::publish::odata_v4
