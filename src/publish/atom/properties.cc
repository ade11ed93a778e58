#include "publish/atom/properties.h"

#include <cstdio>
#include <optional>

#include "core/time.h"
#include "publish/common.h"
#include "publish/odata_v2/model.h"
#include "core/xml_text.h"

namespace meabridge::publish::atom {
namespace {

constexpr int64_t kMsPerDay = 86400000;

void Scalar(std::string& out, const model::Value& v) {
  if (auto ms = InstantOf(v)) {
    out += AtomDate(*ms);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    core::AppendXmlEscaped(out, *s);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else if (const auto* n = std::get_if<int64_t>(&v)) {
    out += std::to_string(*n);
  } else if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    out += buf;
  }
}

}  // namespace

std::string AtomDate(core::EpochMs ms) { return core::FormatDateTime(ms); }

std::optional<core::EpochMs> InstantOf(const model::Value& v) {
  if (const auto* t = std::get_if<model::DateTime>(&v)) return t->ms;
  if (const auto* d = std::get_if<core::CivilDate>(&v)) return core::DaysFromCivil(*d) * kMsPerDay;
  return std::nullopt;
}

void AppendProperties(std::string& out, const model::Record& r, const PropertyOptions& options) {
  const model::EntitySpec& e = r.entity();
  out += "<content type=\"application/xml\"><m:properties>";
  for (size_t i = 0; i < e.fields.size(); ++i) {
    const model::FieldSpec& f = e.fields[i];
    if (options.selected && !(*options.selected)[i]) continue;
    bool collection = odata_v2::IsNavigation(f);
    if (collection && !options.collections) continue;
    const model::Value& v = r.Get(i);
    const std::string& name = f.NameIn(options.dialect);
    out += "<d:" + name;
    if (collection) {
      std::string type = "Collection(" + std::string(odata_v2::kNamespace) + "." +
                         odata_v2::ChildTypeName(e, f) + ")";
      out += " m:type=\"" + type + "\"";
      if (model::IsEmpty(v)) {
        out += " m:null=\"true\"/>";
        continue;
      }
      out += '>';
      if (std::holds_alternative<model::Multilingual>(v)) {
        for (const model::LangText* t : ChildrenInOrder(r, i)) {
          out += "<d:element><d:language>";
          core::AppendXmlEscaped(out, t->lang);
          out += "</d:language><d:value>";
          core::AppendXmlEscaped(out, t->text);
          out += "</d:value></d:element>";
        }
      } else if (const auto* list = std::get_if<model::StringList>(&v)) {
        for (const std::string& s : *list) {
          out += "<d:element>";
          core::AppendXmlEscaped(out, s);
          out += "</d:element>";
        }
      } else if (const auto* items = std::get_if<model::ItemList>(&v)) {
        for (const model::Item& item : *items) {
          out += "<d:element>";
          for (const auto& [k, val] : item) {
            out += "<d:" + k + ">";
            core::AppendXmlEscaped(out, val);
            out += "</d:" + k + ">";
          }
          out += "</d:element>";
        }
      }
      out += "</d:" + name + ">";
      continue;
    }
    const char* edm = odata_v2::EdmType(f.type);
    if (std::string_view(edm) != "Edm.String") out += std::string(" m:type=\"") + edm + "\"";
    if (model::IsEmpty(v)) {
      out += " m:null=\"true\"/>";
      continue;
    }
    out += '>';
    Scalar(out, v);
    out += "</d:" + name + ">";
  }
  out += "</m:properties></content>";
}

}  // namespace meabridge::publish::atom
