#include "vocab/iso_codes.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/json.h"
#include "core/strings.h"

namespace meabridge::vocab {
namespace {

constexpr size_t kMaxIsoTableBytes = 32u << 20;  // iso_3166-1.json is ~50 KB, 639-3 ~1.5 MB
constexpr size_t kMaxCatalogueBytes = 16u << 20;
constexpr uint32_t kMoMagic = 0x950412de;
constexpr size_t kMoHeaderBytes = 28;

std::string InstallHint() {
  return "install Debian's iso-codes package (apt-get install iso-codes), or point "
         "iso_codes_dir at a copy of its data";
}

}  // namespace

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Status::NotFound(path + ": no such file");
    }
    return Status::IoError("cannot open " + path + ": " + std::strerror(err));
  }
  std::string data;
  char chunk[65536];
  while (true) {
    size_t n = std::fread(chunk, 1, sizeof chunk, f.get());
    data.append(chunk, n);
    if (data.size() > max_bytes) {
      return Status::IoError(path + ": larger than " + std::to_string(max_bytes) +
                             " bytes; is it the right file?");
    }
    if (n < sizeof chunk) break;
  }
  if (std::ferror(f.get())) return Status::IoError("cannot read " + path);
  return data;
}

Result<std::vector<IsoEntry>> ReadIsoTable(const std::string& iso_codes_dir,
                                           std::string_view standard) {
  const std::string path = iso_codes_dir + "/json/iso_" + std::string(standard) + ".json";
  Result<std::string> text = ReadSmallFile(path, kMaxIsoTableBytes);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("iso-codes data not found: " + path + " does not exist; " +
                              InstallHint());
    }
    return Status::IoError(text.status().message() + "; " + InstallHint());
  }
  rapidjson::Document doc;
  MB_RETURN_IF_ERROR(json::Parse(*text, doc).WithContext(path));
  const rapidjson::Value* list = json::Member(doc, standard);
  if (!list || !list->IsArray()) {
    return Status::ParseError(path + ": expected a top-level object with an array \"" +
                              std::string(standard) + "\"; " + InstallHint());
  }
  std::vector<IsoEntry> out;
  out.reserve(list->Size());
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const rapidjson::Value& item = (*list)[i];
    auto where = [&] { return path + ": entry " + std::to_string(i); };
    if (!item.IsObject()) return Status::ParseError(where() + " is not an object");
    IsoEntry e;
    struct FieldRef {
      const char* key;
      std::string* field;
    };
    const FieldRef fields[] = {{"alpha_2", &e.alpha_2},
                               {"alpha_3", &e.alpha_3},
                               {"alpha_4", &e.alpha_4},
                               {"numeric", &e.numeric},
                               {"bibliographic", &e.bibliographic},
                               {"name", &e.name},
                               {"official_name", &e.official_name},
                               {"common_name", &e.common_name}};
    for (const FieldRef& f : fields) {
      const rapidjson::Value* v = json::Member(item, f.key);
      if (!v) continue;
      if (!v->IsString()) {
        return Status::ParseError(where() + ": \"" + f.key + "\" is not a string");
      }
      f.field->assign(v->GetString(), v->GetStringLength());
    }
    if (e.name.empty()) return Status::ParseError(where() + " has no \"name\"");
    out.push_back(std::move(e));
  }
  return out;
}

std::string CataloguePath(const std::string& locale_dir, std::string_view lang,
                          std::string_view domain) {
  return locale_dir + "/" + std::string(lang) + "/LC_MESSAGES/" + std::string(domain) + ".mo";
}

// The GNU .mo layout (all words 32-bit, in the byte order the magic number reveals):
//   0 magic 0x950412de   4 revision   8 N (number of strings)
//  12 O (offset of the table of original strings)   16 T (offset of the table of translations)
//  20 hash table size   24 hash table offset (unused here: we build our own map)
// Each table holds N (length, offset) pairs; the strings are NUL-terminated, the length leaves
// the NUL out. A plural entry holds its forms separated by NULs; context is "ctxt\x04msgid".
Result<MoCatalogue> MoCatalogue::Parse(std::string_view data, std::string_view origin) {
  const std::string where(origin);
  const uint64_t size = data.size();
  if (size < kMoHeaderBytes) {
    return Status::ParseError(where + ": not a gettext .mo file: " + std::to_string(size) +
                              " bytes, shorter than the 28-byte header");
  }
  auto byte = [&](uint64_t at) {
    return static_cast<uint32_t>(static_cast<unsigned char>(data[static_cast<size_t>(at)]));
  };
  bool big_endian = false;
  auto word = [&](uint64_t at) -> uint32_t {  // REQUIRES: at + 4 <= size
    if (big_endian) {
      return (byte(at) << 24) | (byte(at + 1) << 16) | (byte(at + 2) << 8) | byte(at + 3);
    }
    return byte(at) | (byte(at + 1) << 8) | (byte(at + 2) << 16) | (byte(at + 3) << 24);
  };
  uint32_t magic = word(0);
  if (magic != kMoMagic) {
    big_endian = true;
    if (word(0) != kMoMagic) {
      return Status::ParseError(where + ": not a gettext .mo file (bad magic number)");
    }
  }
  const uint32_t revision = word(4);
  if ((revision >> 16) > 1) {
    return Status::ParseError(where + ": unsupported .mo format revision " +
                              std::to_string(revision >> 16) + "." +
                              std::to_string(revision & 0xFFFF));
  }
  const uint64_t count = word(8);
  const uint64_t originals = word(12);
  const uint64_t translations = word(16);
  for (uint64_t table : {originals, translations}) {
    if (table + count * 8 > size) {
      return Status::ParseError(where + ": truncated or corrupt .mo file: a table of " +
                                std::to_string(count) + " strings at offset " +
                                std::to_string(table) + " runs past the end (" +
                                std::to_string(size) + " bytes)");
    }
  }
  // Reads string `i` of the table at `table`; up to the first NUL (singular form / msgid).
  auto string_at = [&](uint64_t table, uint64_t i, std::string_view* out) -> Status {
    const uint64_t len = word(table + i * 8);
    const uint64_t off = word(table + i * 8 + 4);
    if (off + len >= size) {  // the NUL after the string must be inside the file too
      return Status::ParseError(where + ": truncated or corrupt .mo file: string " +
                                std::to_string(i) + " (" + std::to_string(len) +
                                " bytes at offset " + std::to_string(off) +
                                ") runs past the end (" + std::to_string(size) + " bytes)");
    }
    if (data[static_cast<size_t>(off + len)] != '\0') {
      return Status::ParseError(where + ": corrupt .mo file: string " + std::to_string(i) +
                                " at offset " + std::to_string(off) + " is not NUL-terminated");
    }
    std::string_view s = data.substr(static_cast<size_t>(off), static_cast<size_t>(len));
    *out = s.substr(0, s.find('\0'));
    return Status::Ok();
  };
  MoCatalogue cat;
  cat.entries_.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view msgid, msgstr;
    MB_RETURN_IF_ERROR(string_at(originals, i, &msgid));
    MB_RETURN_IF_ERROR(string_at(translations, i, &msgstr));
    if (msgid.empty() || msgstr.empty()) continue;  // the header, or not translated
    if (!core::IsValidUtf8(msgstr)) {
      return Status::ParseError(where + ": the translation of " + core::Quote(msgid) +
                                " is not UTF-8");
    }
    cat.entries_.emplace(std::string(msgid), std::string(msgstr));
  }
  return cat;
}

Result<MoCatalogue> MoCatalogue::ReadFile(const std::string& path) {
  MB_ASSIGN_OR_RETURN(std::string data, ReadSmallFile(path, kMaxCatalogueBytes));
  return Parse(data, path);
}

const std::string* MoCatalogue::Translate(std::string_view msgid) const {
  auto it = entries_.find(msgid);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace meabridge::vocab
