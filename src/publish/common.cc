#include "publish/common.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/strings.h"

namespace meabridge::publish {
namespace {

// 0 for English, 1-5 for the other UN languages, 6 for the rest.
int LanguageRank(std::string_view lang) {
  std::string primary = core::AsciiLower(lang.substr(0, lang.find('-')));
  int rank = 0;
  for (const char* un : kUnLanguages) {
    if (primary == un) return rank;
    ++rank;
  }
  return rank;
}

// Debian's media-types table (/etc/mime.types): media type -> extensions, and every extension.
struct MimeTypes {
  std::map<std::string, std::vector<std::string>> by_type;
  std::set<std::string> extensions;
};

const MimeTypes& SystemMimeTypes() {
  static const MimeTypes table = [] {
    MimeTypes t;
    std::ifstream in("/etc/mime.types");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream words(line);
      std::string type, ext;
      words >> type;
      while (words >> ext) {
        t.by_type[core::AsciiLower(type)].push_back(ext);
        t.extensions.insert(core::AsciiLower(ext));
      }
    }
    return t;
  }();
  return table;
}

// "doc" of "https://x/a/b.English.doc?x=1"; "" when the last segment has no dot.
std::string UrlExtension(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  size_t slash = url.rfind('/');
  std::string_view last = slash == std::string_view::npos ? url : url.substr(slash + 1);
  size_t dot = last.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == last.size()) return "";
  return std::string(last.substr(dot + 1));
}

}  // namespace

std::vector<const model::LangText*> InPublishOrder(const model::Multilingual& texts) {
  std::vector<const model::LangText*> out;
  out.reserve(texts.size());
  for (const model::LangText& t : texts) out.push_back(&t);
  std::stable_sort(out.begin(), out.end(), [](const model::LangText* a, const model::LangText* b) {
    int ra = LanguageRank(a->lang), rb = LanguageRank(b->lang);
    return ra != rb ? ra < rb : a->lang < b->lang;
  });
  return out;
}

std::vector<const model::LangText*> InPairedOrder(const model::Multilingual& texts,
                                                  const model::Multilingual* partner) {
  std::vector<const model::LangText*> out = InPublishOrder(texts);
  if (partner == nullptr) return out;
  std::stable_partition(out.begin(), out.end(), [&](const model::LangText* t) {
    return model::FindText(*partner, t->lang) != nullptr;
  });
  return out;
}

const char* PairedField(const model::EntitySpec& entity, const model::FieldSpec& field) {
  if (entity.set_name != "Decisions") return nullptr;
  if (field.name == "content") return "summary";
  if (field.name == "summary") return "content";
  return nullptr;
}

std::vector<const model::LangText*> ChildrenInOrder(const model::Record& record, size_t index) {
  const auto& texts = std::get<model::Multilingual>(record.Get(index));
  const model::Multilingual* partner = nullptr;
  if (const char* other = PairedField(record.entity(), record.entity().fields[index])) {
    if (const model::Value* v = record.Find(other)) partner = std::get_if<model::Multilingual>(v);
  }
  return InPairedOrder(texts, partner);
}

std::string FileNameWithExtension(const std::string& filename, std::string_view url,
                                  std::string_view mime_type) {
  const MimeTypes& mime = SystemMimeTypes();
  std::string from_url = UrlExtension(url);
  std::string lower = core::AsciiLower(filename);
  size_t dot = lower.rfind('.');
  if (dot != std::string::npos) {
    std::string own = lower.substr(dot + 1);
    if ((!from_url.empty() && own == core::AsciiLower(from_url)) || mime.extensions.count(own)) {
      return filename;
    }
  }
  if (filename.empty()) return filename;  // the harvester falls back to the URL's last segment
  if (!from_url.empty() && mime.extensions.count(core::AsciiLower(from_url))) {
    return filename + "." + from_url;
  }
  std::string type = core::AsciiLower(core::Trim(mime_type.substr(0, mime_type.find(';'))));
  auto it = mime.by_type.find(type);
  if (it != mime.by_type.end() && !it->second.empty()) return filename + "." + it->second.front();
  return filename;
}

core::EpochMs LastChange(store::ReadView& view) {
  auto runs = view.Runs("", 1);
  if (!runs.ok() || runs->empty()) return 0;
  const store::RunRecord& r = runs->front();
  return r.finished > 0 ? r.finished : r.started;
}

core::EpochMs StoredAt(const model::Record& record, core::EpochMs fallback) {
  return record.provenance.fetched_at > 0 ? record.provenance.fetched_at : fallback;
}

std::optional<std::string> PublishedItemField(const model::Item& item, const std::string& field) {
  auto it = item.find(field);
  if (it == item.end()) return std::nullopt;
  if (field != "filename") return it->second;
  auto url = item.find("url");
  if (url == item.end()) return it->second;
  auto mime = item.find("mimeType");
  return FileNameWithExtension(it->second, url->second,
                               mime == item.end() ? std::string_view() : mime->second);
}

std::string TitleOf(const model::Record& record) {
  const auto& fields = record.entity().fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].type != model::FieldType::kMultilingual) continue;
    const auto* ml = std::get_if<model::Multilingual>(&record.Get(i));
    if (!ml || ml->empty()) continue;
    if (const std::string* en = model::FindText(*ml, "en")) return *en;
    return ml->front().text;
  }
  // A person: the schema.org name parts the registry maps fields to.
  std::string name;
  for (const char* term : {"schema:honorificPrefix", "schema:givenName", "schema:familyName"}) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].jsonld != term) continue;
      const auto* s = std::get_if<std::string>(&record.Get(i));
      if (s && !s->empty()) name += (name.empty() ? "" : " ") + *s;
    }
  }
  if (!name.empty()) return name;
  return record.entity().type_name + " " + record.id();
}

}  // namespace meabridge::publish
