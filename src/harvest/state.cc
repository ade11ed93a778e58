#include "harvest/state.h"

#include "core/json.h"
#include "core/strings.h"

namespace meabridge::harvest {

std::string SourceState::ToJson() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("v");
  w.Int(1);
  if (since) {
    w.Key("since");
    w.String(core::FormatDateTime(*since));
  }
  if (!cursor.empty()) {
    w.Key("cursor");
    w.String(cursor);
  }
  if (last_full) {
    w.Key("last_full");
    w.String(core::FormatDateTime(*last_full));
  }
  if (!fingerprint.empty()) {
    w.Key("fingerprint");
    w.String(fingerprint);
  }
  if (!format.empty()) {
    w.Key("format");
    w.String(format);
  }
  if (!paging.empty()) {
    w.Key("paging");
    w.String(paging);
  }
  if (!pages.empty()) {
    w.Key("pages");
    w.StartArray();
    for (const PageState& p : pages) {
      w.StartObject();
      w.Key("url");
      w.String(p.url);
      if (!p.etag.empty()) {
        w.Key("etag");
        w.String(p.etag);
      }
      if (!p.last_modified.empty()) {
        w.Key("last_modified");
        w.String(p.last_modified);
      }
      w.Key("sha1");
      w.String(p.sha1);
      if (p.records >= 0) {
        w.Key("records");
        w.Int64(p.records);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<SourceState> SourceState::FromWatermark(const std::optional<std::string>& watermark) {
  SourceState s;
  if (!watermark || core::Trim(*watermark).empty()) return s;
  std::string_view text = core::Trim(*watermark);
  if (text.front() != '{') {
    s.since = core::ParseDateTime(text);
    return s;
  }
  rapidjson::Document doc;
  Status st = json::Parse(text, doc);
  if (!st.ok())
    return Status::Corruption("the stored harvest state is not valid JSON: " + st.message());
  if (!doc.IsObject()) return Status::Corruption("the stored harvest state is not a JSON object");
  auto str = [](const rapidjson::Value& obj, const char* name) -> std::string {
    const rapidjson::Value* v = json::Member(obj, name);
    return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
  };
  if (std::string v = str(doc, "since"); !v.empty()) s.since = core::ParseDateTime(v);
  if (std::string v = str(doc, "last_full"); !v.empty()) s.last_full = core::ParseDateTime(v);
  s.cursor = str(doc, "cursor");
  s.fingerprint = str(doc, "fingerprint");
  s.format = str(doc, "format");
  s.paging = str(doc, "paging");
  if (const rapidjson::Value* pages = json::Member(doc, "pages"); pages && pages->IsArray()) {
    for (const rapidjson::Value& p : pages->GetArray()) {
      if (!p.IsObject()) continue;
      PageState ps{str(p, "url"), str(p, "etag"), str(p, "last_modified"), str(p, "sha1"), -1};
      if (const rapidjson::Value* n = json::Member(p, "records"); n && n->IsInt64()) {
        ps.records = n->GetInt64();
      }
      if (!ps.url.empty()) s.pages.push_back(std::move(ps));
    }
  }
  return s;
}

std::string SourceState::Conceal(const Redactor& redactor, std::string_view configured) {
  // The shown form of `url`, or nullopt when the configuration cannot give the URL back.
  auto keepable = [&](const std::string& url) -> std::optional<std::string> {
    std::string shown = redactor.Url(url);
    if (shown == url || RestoreUrl(shown, configured) == url) return shown;
    return std::nullopt;
  };
  std::vector<std::string> dropped;
  if (!cursor.empty()) {
    if (std::optional<std::string> shown = keepable(cursor)) {
      cursor = *shown;
    } else {
      dropped.push_back("its delta link " + redactor.Url(cursor) +
                        " (so the next run reads the whole source)");
      cursor.clear();
    }
  }
  // The pages are a chain: a 304 page's successor is the one stored after it. Without one of
  // them the chain would end early and the next run would miss the pages after it, so one page
  // that cannot be kept drops them all (the next run fetches every page in full).
  size_t pages_dropped = 0;
  std::string example;
  for (PageState& p : pages) {
    if (std::optional<std::string> shown = keepable(p.url)) {
      p.url = *shown;
    } else if (pages_dropped++ == 0) {
      example = redactor.Url(p.url);
    }
  }
  if (pages_dropped > 0) {
    dropped.push_back("its " + std::to_string(pages.size()) + " page URLs (" +
                      std::to_string(pages_dropped) + " such as " + example +
                      "; the next run fetches every page again in full)");
    pages.clear();
  }
  if (dropped.empty()) return "";
  return "the harvest state does not keep " + core::Join(dropped, ", nor ") +
         ": they carry a credential that is not in the source's configured URL (a token the "
         "server issued), and no secret is stored. Give the credential in the configuration "
         "(auth=, secret-file=) if the server accepts it there";
}

void SourceState::Reveal(std::string_view configured) {
  if (!cursor.empty()) cursor = RestoreUrl(cursor, configured);
  for (PageState& p : pages) p.url = RestoreUrl(p.url, configured);
}

const PageState* SourceState::FindPage(const std::string& url) const {
  for (const PageState& p : pages) {
    if (p.url == url) return &p;
  }
  return nullptr;
}

}  // namespace meabridge::harvest
