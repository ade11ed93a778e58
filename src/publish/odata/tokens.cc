#include "publish/odata/tokens.h"

#include <Poco/SHA2Engine.h>

#include <algorithm>

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

std::string Sha256(std::string_view data) {
  Poco::SHA2Engine e(Poco::SHA2Engine::SHA_256);
  e.update(data.data(), static_cast<unsigned>(data.size()));
  const Poco::DigestEngine::Digest& d = e.digest();
  return std::string(d.begin(), d.end());
}

std::string HmacSha256(std::string_view key, std::string_view msg) {
  constexpr size_t kBlock = 64;
  std::string k(key);
  if (k.size() > kBlock) k = Sha256(k);
  k.resize(kBlock, '\0');
  std::string ipad(kBlock, '\0');
  std::string opad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  return Sha256(opad + Sha256(ipad + std::string(msg)));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

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
  std::string mac = HmacSha256(key_, payload).substr(0, kMacBytes);
  return Base64UrlEncode(payload) + "." + Base64UrlEncode(mac);
}

std::optional<std::string> LinkSigner::Verify(std::string_view token) const {
  if (token.size() > 4096) return std::nullopt;
  size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = Base64UrlDecode(token.substr(0, dot));
  auto mac = Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !mac) return std::nullopt;
  std::string expected = HmacSha256(key_, *payload).substr(0, kMacBytes);
  if (!ConstantTimeEquals(expected, *mac)) return std::nullopt;
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

std::string Base64UrlEncode(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace meabridge::publish::odata
