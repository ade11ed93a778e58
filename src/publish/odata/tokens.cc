#include "publish/odata/tokens.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/time.h"

namespace meabridge::publish::odata {
namespace {

// Used when no link secret is configured: links stay tamper-evident (a changed token fails
// its check), but whoever reads this source could forge one. Configure link-secret-file.
constexpr std::string_view kBuiltInKey =
    "meabridge link key v1: configure <server link-secret-file>";
constexpr size_t kMacBytes = 16;

void WriteValue(rapidjson::Writer<rapidjson::StringBuffer>& w, const model::Value& v) {
  std::visit(
      [&w](const auto& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::string>) {
          w.String(x);
        } else if constexpr (std::is_same_v<X, bool>) {
          w.Bool(x);
        } else if constexpr (std::is_same_v<X, int64_t>) {
          w.Int64(x);
        } else if constexpr (std::is_same_v<X, double>) {
          w.Double(x);
        } else if constexpr (std::is_same_v<X, core::CivilDate>) {
          w.String(core::FormatDate(x));
        } else if constexpr (std::is_same_v<X, model::DateTime>) {
          w.Int64(x.ms);
        } else {
          w.Null();  // no value (or a type that never orders: not written by PositionOf)
        }
      },
      v);
}

std::optional<model::Value> ReadValue(const rapidjson::Value& j, model::FieldType type) {
  using model::FieldType;
  if (j.IsNull()) return model::Value();
  switch (type) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
      if (j.IsString()) return model::Value(std::string(j.GetString(), j.GetStringLength()));
      return std::nullopt;
    case FieldType::kBool:
      if (j.IsBool()) return model::Value(j.GetBool());
      return std::nullopt;
    case FieldType::kInt:
      if (j.IsInt64()) return model::Value(j.GetInt64());
      return std::nullopt;
    case FieldType::kDouble:
      if (j.IsNumber()) return model::Value(j.GetDouble());
      return std::nullopt;
    case FieldType::kDate:
      if (j.IsString()) {
        if (auto d = core::ParseDate(j.GetString())) return model::Value(*d);
      }
      return std::nullopt;
    case FieldType::kDateTime:
      if (j.IsInt64()) return model::Value(model::DateTime{j.GetInt64()});
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Result<rapidjson::Document> Open(const LinkSigner& signer, std::string_view token,
                                 std::string_view kind, std::string_view what) {
  auto payload = signer.Verify(token);
  if (!payload) {
    return Status::InvalidArgument("the " + std::string(what) +
                                   " was not issued by this service or was altered");
  }
  rapidjson::Document doc;
  if (!json::Parse(*payload, doc).ok() || !doc.IsObject()) {
    return Status::InvalidArgument("the " + std::string(what) + " is malformed");
  }
  const rapidjson::Value* k = json::Member(doc, "k");
  if (!k || !k->IsString() || std::string_view(k->GetString()) != kind) {
    return Status::InvalidArgument("the " + std::string(what) + " is not a " + std::string(what));
  }
  return doc;
}

Status CheckScope(const rapidjson::Document& doc, const model::EntitySpec& entity,
                  std::string_view query_hash, std::string_view what) {
  const rapidjson::Value* e = json::Member(doc, "e");
  const rapidjson::Value* q = json::Member(doc, "q");
  if (!e || !e->IsString() || entity.set_name != e->GetString()) {
    return Status::InvalidArgument("the " + std::string(what) + " belongs to another entity set");
  }
  if (!q || !q->IsString() || query_hash != q->GetString()) {
    return Status::InvalidArgument("the " + std::string(what) +
                                   " belongs to a different query: keep every query option of "
                                   "the link as it was issued");
  }
  return Status::Ok();
}

}  // namespace

LinkSigner::LinkSigner(std::string key)
    : key_(key.empty() ? std::string(kBuiltInKey) : std::move(key)) {}

std::string LinkSigner::Sign(std::string_view payload) const {
  std::string mac = core::HmacSha256(key_, payload).substr(0, kMacBytes);
  return core::Base64UrlEncode(payload) + "." + core::Base64UrlEncode(mac);
}

std::optional<std::string> LinkSigner::Verify(std::string_view token) const {
  if (token.size() > 4096) return std::nullopt;
  size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = core::Base64UrlDecode(token.substr(0, dot));
  auto mac = core::Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !mac) return std::nullopt;
  std::string expected = core::HmacSha256(key_, *payload).substr(0, kMacBytes);
  if (!core::ConstantTimeEquals(expected, *mac)) return std::nullopt;
  return payload;
}

std::string QueryHash(std::string_view entity_set,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& p : params) {
    if (p.first == "$skip" || p.first == "$skiptoken" || p.first == "$deltatoken") continue;
    kept.push_back(p);
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text(entity_set);
  for (const auto& [k, v] : kept) {
    text += '\n';
    text += k;
    text += '=';
    text += v;
  }
  return core::ContentHash(text).substr(0, 16);
}

std::vector<model::Value> PositionOf(const model::Record& record,
                                     const std::vector<store::OrderKey>& order) {
  std::vector<model::Value> out;
  out.reserve(order.size() + 1);
  for (const store::OrderKey& k : order) out.push_back(record.Get(static_cast<size_t>(k.field)));
  out.emplace_back(record.id());
  return out;
}

std::string EncodeNext(const LinkSigner& signer, const NextToken& t) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("k");
  w.String("n");
  w.Key("e");
  w.String(t.entity);
  w.Key("q");
  w.String(t.query_hash);
  w.Key("n");
  w.Int64(t.delivered);
  w.Key("a");
  w.StartArray();
  for (const model::Value& v : t.after) WriteValue(w, v);
  w.EndArray();
  w.Key("d");
  w.Int64(t.delta_since);
  w.EndObject();
  return signer.Sign(std::string_view(buf.GetString(), buf.GetSize()));
}

Result<NextToken> DecodeNext(const LinkSigner& signer, std::string_view token,
                             const model::EntitySpec& entity,
                             const std::vector<store::OrderKey>& order,
                             std::string_view query_hash) {
  MB_ASSIGN_OR_RETURN(rapidjson::Document doc, Open(signer, token, "n", "$skiptoken"));
  MB_RETURN_IF_ERROR(CheckScope(doc, entity, query_hash, "$skiptoken"));
  NextToken t;
  t.entity = entity.set_name;
  t.query_hash = std::string(query_hash);
  const rapidjson::Value* n = json::Member(doc, "n");
  const rapidjson::Value* a = json::Member(doc, "a");
  const rapidjson::Value* d = json::Member(doc, "d");
  if (!n || !n->IsInt64() || n->GetInt64() < 0 || !a || !a->IsArray() ||
      a->Size() != order.size() + 1 || !d || !d->IsInt64()) {
    return Status::InvalidArgument("the $skiptoken is malformed");
  }
  t.delivered = n->GetInt64();
  t.delta_since = d->GetInt64();
  for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
    model::FieldType type = i < order.size()
                                ? entity.fields[static_cast<size_t>(order[i].field)].type
                                : model::FieldType::kString;
    auto v = ReadValue((*a)[i], type);
    if (!v || (i == order.size() && !std::holds_alternative<std::string>(*v))) {
      return Status::InvalidArgument("the $skiptoken is malformed");
    }
    t.after.push_back(std::move(*v));
  }
  return t;
}

std::string EncodeDelta(const LinkSigner& signer, const DeltaToken& t) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("k");
  w.String("d");
  w.Key("e");
  w.String(t.entity);
  w.Key("q");
  w.String(t.query_hash);
  w.Key("s");
  w.Int64(t.since);
  w.EndObject();
  return signer.Sign(std::string_view(buf.GetString(), buf.GetSize()));
}

Result<DeltaToken> DecodeDelta(const LinkSigner& signer, std::string_view token,
                               const model::EntitySpec& entity, std::string_view query_hash) {
  MB_ASSIGN_OR_RETURN(rapidjson::Document doc, Open(signer, token, "d", "$deltatoken"));
  MB_RETURN_IF_ERROR(CheckScope(doc, entity, query_hash, "$deltatoken"));
  const rapidjson::Value* s = json::Member(doc, "s");
  if (!s || !s->IsInt64() || s->GetInt64() < 0) {
    return Status::InvalidArgument("the $deltatoken is malformed");
  }
  DeltaToken t;
  t.entity = entity.set_name;
  t.query_hash = std::string(query_hash);
  t.since = s->GetInt64();
  return t;
}

}  // namespace meabridge::publish::odata
