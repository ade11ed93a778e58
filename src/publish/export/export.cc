#include "publish/export/export.h"

#include <utility>

#include "core/json.h"
#include "core/version.h"
#include "mapping/outbound.h"
#include "publish/atom/feeds.h"
#include "publish/atom/properties.h"
#include "publish/common.h"
#include "publish/csv/csv.h"
#include "publish/jsonld/jsonld.h"
#include "publish/odata_v2/model.h"
#include "publish/odata_v2/service.h"
#include "publish/odata_v4/service.h"
#include "core/xml_text.h"

namespace meabridge::publish::exports {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using store::Expr;

// The bounded output buffer: handed to the sink whenever it holds kFlushAt bytes.
constexpr size_t kFlushAt = 64 * 1024;

class Renderer {
 public:
  explicit Renderer(codec::ByteSink& out) : out_(out) { buf_.reserve(kFlushAt + 4096); }
  virtual ~Renderer() = default;
  virtual Status Begin() = 0;
  virtual Status Write(const model::Record& record) = 0;
  virtual Status Finish() = 0;

 protected:
  Status MaybeFlush() { return buf_.size() >= kFlushAt ? Flush() : Status::Ok(); }
  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    Status st = out_.Write(buf_);
    buf_.clear();
    return st;
  }

  codec::ByteSink& out_;
  std::string buf_;
};

// A JSON document whose records are the items of one array: Begin writes up to the array's
// "[", each record goes through WriteItem, Finish closes the array and the document.
class JsonArrayRenderer : public Renderer {
 public:
  using Renderer::Renderer;
  Status Write(const model::Record& r) final {
    json_.Clear();
    writer_.Reset(json_);
    WriteItem(writer_, r);
    buf_ += first_ ? "\n" : ",\n";
    first_ = false;
    buf_.append(json_.GetString(), json_.GetSize());
    return MaybeFlush();
  }
  Status Finish() final {
    buf_ += "\n]}\n";
    return Flush();
  }

 protected:
  virtual void WriteItem(JsonWriter& w, const model::Record& r) = 0;

 private:
  rapidjson::StringBuffer json_;
  JsonWriter writer_{json_};
  bool first_ = true;
};

// json: OData V4 JSON.
class JsonRenderer : public JsonArrayRenderer {
 public:
  JsonRenderer(codec::ByteSink& out, const ExportOptions& o) : JsonArrayRenderer(out), o_(o) {}
  Status Begin() override {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.String(o_.base_url + "odata/v4/$metadata#" + o_.entity->set_name);
    buf_ += "{\"@odata.context\":";
    buf_.append(b.GetString(), b.GetSize());
    buf_ += ",\"value\":[";
    return Status::Ok();
  }

 protected:
  void WriteItem(JsonWriter& w, const model::Record& r) override { odata_v4::WriteRecord(w, r); }

 private:
  const ExportOptions& o_;
};

// csv: the publisher's /export/{entity}.csv.
class CsvRenderer : public Renderer {
 public:
  CsvRenderer(codec::ByteSink& out, const ExportOptions& o) : Renderer(out), o_(o) {}
  Status Begin() override {
    buf_ += csv::HeaderRow(*o_.entity, csv::DefaultLanguages());
    return Status::Ok();
  }
  Status Write(const model::Record& r) override {
    buf_ += csv::Row(r, csv::DefaultLanguages());
    return MaybeFlush();
  }
  Status Finish() override { return Flush(); }

 private:
  const ExportOptions& o_;
};

// xml: the InforMEA OData V2 dialect's Atom feed, navigation properties inlined.
class V2XmlRenderer : public Renderer {
 public:
  V2XmlRenderer(codec::ByteSink& out, const ExportOptions& o, core::EpochMs last)
      : Renderer(out),
        root_(o.base_url + "informea.svc/"),
        last_(last),
        selected_(o.entity->fields.size(), true),
        expanded_(o.entity->fields.size(), false),
        o_(o) {
    for (size_t i = 0; i < o.entity->fields.size(); ++i) {
      expanded_[i] = odata_v2::IsNavigation(o.entity->fields[i]);
    }
  }
  Status Begin() override {
    const std::string& set = o_.entity->set_name;
    buf_ += odata_v2::AtomDocumentOpen(root_);
    buf_ += "<id>" + core::XmlEscape(root_ + set) + "</id><title type=\"text\">" + set +
            "</title><updated>" + atom::AtomDate(last_) + "</updated><link rel=\"self\" title=\"" +
            set + "\" href=\"" + set + "\"/>\n";
    return Status::Ok();
  }
  Status Write(const model::Record& r) override {
    odata_v2::AppendAtomEntry(buf_, r, root_, last_, selected_, expanded_);
    buf_ += '\n';
    return MaybeFlush();
  }
  Status Finish() override {
    buf_ += "</feed>\n";
    return Flush();
  }

 private:
  std::string root_;
  core::EpochMs last_;
  std::vector<bool> selected_;
  std::vector<bool> expanded_;
  const ExportOptions& o_;
};

// atom: the entries of /feeds/{entity}.atom.
class AtomRenderer : public Renderer {
 public:
  AtomRenderer(codec::ByteSink& out, const ExportOptions& o, core::EpochMs last)
      : Renderer(out), o_(o), last_(last) {}
  Status Begin() override {
    const model::EntitySpec& e = *o_.entity;
    std::string self = o_.base_url + "feeds/" + e.name + ".atom";
    buf_ += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed ";
    buf_ += atom::kNamespaces;
    buf_ += ">\n<id>" + core::XmlEscape(self) + "</id>\n<title type=\"text\">" + e.set_name +
            " (meabridge export)</title>\n<updated>" + atom::AtomDate(last_) +
            "</updated>\n<author><name>meabridge</name></author>\n<generator version=\"" +
            kVersion + "\">meabridge</generator>\n<link rel=\"related\" href=\"" + core::XmlEscape(self) +
            "\"/>\n";
    return Status::Ok();
  }
  Status Write(const model::Record& r) override {
    buf_ += atom::EntryXml(r, o_.base_url, last_);
    buf_ += '\n';
    return MaybeFlush();
  }
  Status Finish() override {
    buf_ += "</feed>\n";
    return Flush();
  }

 private:
  const ExportOptions& o_;
  core::EpochMs last_;
};

// jsonld: the context inlined, then the nodes.
class JsonLdRenderer : public JsonArrayRenderer {
 public:
  JsonLdRenderer(codec::ByteSink& out, const ExportOptions& o) : JsonArrayRenderer(out), o_(o) {}
  Status Begin() override {
    rapidjson::Document doc;
    MB_RETURN_IF_ERROR(json::Parse(jsonld::ContextDocument(*o_.entity), doc));
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    doc["@context"].Accept(w);
    buf_ += "{\"@context\":";
    buf_.append(b.GetString(), b.GetSize());
    buf_ += ",\"@graph\":[";
    return Status::Ok();
  }

 protected:
  void WriteItem(JsonWriter& w, const model::Record& r) override {
    jsonld::WriteNode(w, r, o_.base_url);
  }

 private:
  const ExportOptions& o_;
};

// A profile's outbound mapping; its writer streams into the sink through the bounded buffer.
class ProfileRenderer : public Renderer {
 public:
  ProfileRenderer(codec::ByteSink& out, const ExportOptions& o) : Renderer(out), o_(o) {}
  Status Begin() override {
    MB_ASSIGN_OR_RETURN(writer_, o_.profile->NewWriter(into_buffer_, o_.params));
    return Status::Ok();
  }
  Status Write(const model::Record& r) override { return writer_->Write(r); }
  Status Finish() override {
    MB_RETURN_IF_ERROR(writer_->Finish());
    return Flush();
  }
  size_t written() const { return writer_ ? writer_->written() : 0; }

 private:
  class IntoBuffer : public codec::ByteSink {
   public:
    explicit IntoBuffer(ProfileRenderer& r) : r_(r) {}
    Status Write(std::string_view bytes) override {
      r_.buf_ += bytes;
      return r_.MaybeFlush();
    }

   private:
    ProfileRenderer& r_;
  };

  const ExportOptions& o_;
  IntoBuffer into_buffer_{*this};
  std::unique_ptr<mapping::OutboundMapping::Writer> writer_;
};

// Names of the entities that have `field`, for errors.
std::string EntitiesWith(std::initializer_list<const char*> fields) {
  std::string out;
  for (const model::EntitySpec& e : model::Registry::Default().entities()) {
    for (const char* f : fields) {
      if (e.FieldIndex(f) >= 0) {
        out += (out.empty() ? "" : ", ") + e.set_name;
        break;
      }
    }
  }
  return out;
}

std::unique_ptr<Expr> AndMaybe(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  if (!a) return b;
  return Expr::And(std::move(a), std::move(b));
}

}  // namespace

const std::vector<Format>& Formats() {
  static const std::vector<Format> kFormats = {
      {"json", "application/json", "OData V4 JSON ({\"value\": [...]}, one record per line)"},
      {"csv", "text/csv", "CSV (RFC 4180), the columns of /export/ENTITY.csv"},
      {"xml", "application/atom+xml", "the InforMEA OData V2 Atom/XML feed, children inlined"},
      {"atom", "application/atom+xml", "an Atom feed of the entries of /feeds/ENTITY.atom"},
      {"jsonld", "application/ld+json", "JSON-LD ({\"@context\": {...}, \"@graph\": [...]})"},
  };
  return kFormats;
}

const Format* FindFormat(std::string_view name) {
  for (const Format& f : Formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string FormatNames() {
  std::string out;
  for (const Format& f : Formats()) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

Result<store::Query> BuildQuery(const ExportOptions& o) {
  const model::EntitySpec& e = *o.entity;
  store::Query q;
  q.entity = &e;
  std::unique_ptr<Expr> filter;
  if (!o.treaty.empty()) {
    int treaty = e.FieldIndex("treaty");
    if (treaty < 0) treaty = e.FieldIndex("treaties");  // string list: kEq tests membership
    if (treaty >= 0) {
      filter = Expr::Compare(treaty, Expr::Op::kEq, model::Value(o.treaty));
    } else if (e.FieldIndex("parent") >= 0) {
      // Treaties: the treaty itself and its protocols.
      filter = Expr::Or(
          Expr::Compare(model::EntitySpec::kIdField, Expr::Op::kEq, model::Value(o.treaty)),
          Expr::Compare(e.FieldIndex("parent"), Expr::Op::kEq, model::Value(o.treaty)));
    } else {
      return Status::InvalidArgument(e.set_name +
                                     " has no treaty to filter by; --treaty applies to " +
                                     EntitiesWith({"treaty", "treaties", "parent"}));
    }
  }
  if (!o.country.empty()) {
    int country = e.FieldIndex("country");
    if (country < 0) {
      return Status::InvalidArgument(e.set_name +
                                     " has no country to filter by; --country applies to " +
                                     EntitiesWith({"country"}));
    }
    filter =
        AndMaybe(std::move(filter), Expr::Compare(country, Expr::Op::kEq, model::Value(o.country)));
  }
  if (o.since) {
    filter =
        AndMaybe(std::move(filter), Expr::Compare(model::EntitySpec::kUpdatedField, Expr::Op::kGe,
                                                  model::Value(model::DateTime{*o.since})));
  }
  q.filter = std::move(filter);
  return q;
}

Result<int64_t> Export(store::ReadView& view, const store::Query& query, const ExportOptions& o,
                       codec::ByteSink& out, const ProgressFn& progress) {
  std::unique_ptr<Renderer> r;
  ProfileRenderer* profile = nullptr;
  if (o.profile) {
    auto p = std::make_unique<ProfileRenderer>(out, o);
    profile = p.get();
    r = std::move(p);
  } else if (o.format == "json") {
    r = std::make_unique<JsonRenderer>(out, o);
  } else if (o.format == "csv") {
    r = std::make_unique<CsvRenderer>(out, o);
  } else if (o.format == "xml") {
    r = std::make_unique<V2XmlRenderer>(out, o, LastChange(view));
  } else if (o.format == "atom") {
    r = std::make_unique<AtomRenderer>(out, o, LastChange(view));
  } else if (o.format == "jsonld") {
    r = std::make_unique<JsonLdRenderer>(out, o);
  } else {
    return Status::InvalidArgument("unknown export format '" + o.format + "'; use one of " +
                                   FormatNames());
  }
  MB_RETURN_IF_ERROR(r->Begin());
  int64_t n = 0;
  Status scanned = view.Scan(query, [&](const model::Record& rec) -> Status {
    MB_RETURN_IF_ERROR(r->Write(rec));
    ++n;
    if (progress) progress(n);
    return Status::Ok();
  });
  MB_RETURN_IF_ERROR(scanned);
  MB_RETURN_IF_ERROR(r->Finish());
  if (profile) return static_cast<int64_t>(profile->written());
  return n;
}

}  // namespace meabridge::publish::exports
