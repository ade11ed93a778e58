#include "publish/odata_v2/model.h"

#include <set>

#include "publish/odata/navigation.h"
#include "core/xml_text.h"

namespace meabridge::publish::odata_v2 {

using model::FieldType;

bool IsNavigation(const model::FieldSpec& field) {
  return field.type == FieldType::kMultilingual || field.IsList();
}

std::string ChildTypeName(const model::EntitySpec& entity, const model::FieldSpec& field) {
  if (field.type == FieldType::kMultilingual) return "LocalizedString";
  if (field.type == FieldType::kStringList) return "StringValue";
  return entity.type_name + odata::Capitalise(field.name) + "Item";
}

std::vector<std::string> ChildPropertyNames(const model::FieldSpec& field) {
  if (field.type == FieldType::kMultilingual) return {"id", "language", "value"};
  if (field.type == FieldType::kStringList) return {"value"};
  std::vector<std::string> names = {"id"};
  for (const model::ItemFieldSpec& i : field.item_fields) names.push_back(i.name);
  return names;
}

const char* EdmType(FieldType type) {
  switch (type) {
    case FieldType::kDate:
    case FieldType::kDateTime:
      return "Edm.DateTime";
    case FieldType::kBool:
      return "Edm.Boolean";
    case FieldType::kInt:
      return "Edm.Int32";
    case FieldType::kDouble:
      return "Edm.Double";
    default:
      return "Edm.String";
  }
}

namespace {

std::string Documentation(const std::string& doc, const char* indent) {
  if (doc.empty()) return "";
  return std::string(indent) + "<Documentation><Summary>" + core::XmlEscape(doc) +
         "</Summary></Documentation>\n";
}

// The association of a navigation property: "Contact_treaties".
std::string AssociationName(const model::EntitySpec& e, const model::FieldSpec& f) {
  return e.type_name + "_" + f.NameIn(kDialect);
}

}  // namespace

std::string RenderEdmx(const model::Registry& registry) {
  std::string ns = kNamespace;
  std::string out;
  out.reserve(48 * 1024);
  out += "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n";
  out +=
      "<edmx:Edmx Version=\"1.0\" xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\">\n";
  out +=
      "  <edmx:DataServices m:DataServiceVersion=\"2.0\" "
      "xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\">\n";
  out += "    <Schema Namespace=\"" + ns +
         "\" xmlns=\"http://schemas.microsoft.com/ado/2008/09/edm\">\n";
  for (const model::EntitySpec& e : registry.entities()) {
    out += "      <EntityType Name=\"" + e.type_name + "\">\n";
    out += "        <Key><PropertyRef Name=\"id\"/></Key>\n";
    for (const model::FieldSpec& f : e.fields) {
      if (IsNavigation(f)) continue;
      out += "        <Property Name=\"" + f.NameIn(kDialect) + "\" Type=\"" + EdmType(f.type) +
             "\" Nullable=\"" + (f.name == "id" ? "false" : "true") + "\">\n";
      out += Documentation(f.doc, "          ");
      out += "        </Property>\n";
    }
    for (const model::FieldSpec& f : e.fields) {
      if (!IsNavigation(f)) continue;
      out += "        <NavigationProperty Name=\"" + f.NameIn(kDialect) + "\" Relationship=\"" +
             ns + "." + AssociationName(e, f) + "\" FromRole=\"" + e.type_name + "\" ToRole=\"" +
             f.NameIn(kDialect) + "\">\n";
      out += Documentation(f.doc, "          ");
      out += "        </NavigationProperty>\n";
    }
    out += "      </EntityType>\n";
    for (const model::FieldSpec& f : e.fields) {
      if (f.type != FieldType::kItemList) continue;
      std::string name = ChildTypeName(e, f);
      out += "      <EntityType Name=\"" + name + "\">\n";
      out += "        <Key><PropertyRef Name=\"id\"/></Key>\n";
      out += "        <Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\"/>\n";
      for (const model::ItemFieldSpec& i : f.item_fields) {
        out += "        <Property Name=\"" + i.name + "\" Type=\"" + EdmType(i.type) +
               "\" Nullable=\"" + (i.required ? "false" : "true") + "\">\n";
        out += Documentation(i.doc, "          ");
        out += "        </Property>\n";
      }
      out += "      </EntityType>\n";
    }
  }
  out += "      <EntityType Name=\"LocalizedString\">\n";
  out += "        <Key><PropertyRef Name=\"id\"/></Key>\n";
  out += "        <Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\"/>\n";
  out += "        <Property Name=\"language\" Type=\"Edm.String\" Nullable=\"false\"/>\n";
  out += "        <Property Name=\"value\" Type=\"Edm.String\" Nullable=\"true\"/>\n";
  out += "      </EntityType>\n";
  out += "      <EntityType Name=\"StringValue\">\n";
  out += "        <Key><PropertyRef Name=\"value\"/></Key>\n";
  out += "        <Property Name=\"value\" Type=\"Edm.String\" Nullable=\"false\"/>\n";
  out += "      </EntityType>\n";
  for (const model::EntitySpec& e : registry.entities()) {
    for (const model::FieldSpec& f : e.fields) {
      if (!IsNavigation(f)) continue;
      out += "      <Association Name=\"" + AssociationName(e, f) + "\">\n";
      out += "        <End Type=\"" + ns + "." + e.type_name + "\" Role=\"" + e.type_name +
             "\" Multiplicity=\"1\"/>\n";
      out += "        <End Type=\"" + ns + "." + ChildTypeName(e, f) + "\" Role=\"" +
             f.NameIn(kDialect) + "\" Multiplicity=\"*\"/>\n";
      out += "      </Association>\n";
    }
  }
  out += "      <EntityContainer Name=\"InforMEA\" m:IsDefaultEntityContainer=\"true\">\n";
  for (const model::EntitySpec& e : registry.entities()) {
    out += "        <EntitySet Name=\"" + e.set_name + "\" EntityType=\"" + ns + "." + e.type_name +
           "\"/>\n";
  }
  // One set per child type, so that every association end names a set.
  std::set<std::string> sets;
  for (const model::EntitySpec& e : registry.entities()) {
    for (const model::FieldSpec& f : e.fields) {
      if (!IsNavigation(f)) continue;
      std::string type = ChildTypeName(e, f);
      if (sets.insert(type).second) {
        out +=
            "        <EntitySet Name=\"" + type + "s\" EntityType=\"" + ns + "." + type + "\"/>\n";
      }
    }
  }
  for (const model::EntitySpec& e : registry.entities()) {
    for (const model::FieldSpec& f : e.fields) {
      if (!IsNavigation(f)) continue;
      out += "        <AssociationSet Name=\"" + AssociationName(e, f) + "\" Association=\"" + ns +
             "." + AssociationName(e, f) + "\">\n";
      out += "          <End Role=\"" + e.type_name + "\" EntitySet=\"" + e.set_name + "\"/>\n";
      out += "          <End Role=\"" + f.NameIn(kDialect) + "\" EntitySet=\"" +
             ChildTypeName(e, f) + "s\"/>\n";
      out += "        </AssociationSet>\n";
    }
  }
  out += "      </EntityContainer>\n";
  out += "    </Schema>\n";
  out += "  </edmx:DataServices>\n";
  out += "</edmx:Edmx>\n";
  return out;
}

}  // namespace meabridge::publish::odata_v2
