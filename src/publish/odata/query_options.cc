#include "publish/odata/query_options.h"

#include <algorithm>

#include "core/log.h"
#include "core/strings.h"

namespace meabridge::publish::odata {
namespace {

std::string FieldNames(const model::EntitySpec& e, bool orderable_only,
                       model::Dialect dialect = model::Dialect::kCanonical) {
  std::string out;
  for (const auto& f : e.fields) {
    if (orderable_only && (f.IsList() || f.type == model::FieldType::kMultilingual)) continue;
    out += (out.empty() ? "" : ", ") + f.NameIn(dialect);
  }
  return out;
}

// Splits on `sep` at parenthesis depth 0.
std::vector<std::string> SplitTop(std::string_view s, char sep) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == sep && depth == 0) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.emplace_back(s.substr(start));
  return out;
}

}  // namespace

Result<std::vector<store::OrderKey>> ParseOrderBy(std::string_view text,
                                                  const model::EntitySpec& entity,
                                                  model::Dialect dialect) {
  std::vector<store::OrderKey> keys;
  std::vector<std::string> parts = core::Split(text, ',');
  if (parts.size() > kMaxOrderKeys) {
    return Status::InvalidArgument("$orderby has " + std::to_string(parts.size()) +
                                   " keys; at most " + std::to_string(kMaxOrderKeys) +
                                   " are accepted");
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view item = core::Trim(parts[i]);
    if (item.empty()) {
      return Status::InvalidArgument("$orderby has an empty key (key " + std::to_string(i + 1) +
                                     "); write e.g. updated desc,id");
    }
    std::vector<std::string> words;
    for (std::string& w : core::Split(item, ' ')) {
      if (!w.empty()) words.push_back(std::move(w));
    }
    bool desc = false;
    if (words.size() == 2) {
      std::string dir = core::AsciiLower(words[1]);
      if (dir != "asc" && dir != "desc") {
        return Status::InvalidArgument("$orderby: '" + words[1] + "' after '" + words[0] +
                                       "' must be asc or desc");
      }
      desc = dir == "desc";
    } else if (words.size() != 1) {
      return Status::InvalidArgument("$orderby: '" + std::string(item) +
                                     "' is not a field with an optional asc or desc");
    }
    int index = entity.FieldIndex(words[0], dialect);
    if (index < 0) {
      return Status::InvalidArgument("$orderby: unknown field '" + words[0] + "'; " +
                                     entity.set_name + " orders by " +
                                     FieldNames(entity, true, dialect));
    }
    const model::FieldSpec& f = entity.fields[static_cast<size_t>(index)];
    if (f.IsList() || f.type == model::FieldType::kMultilingual) {
      return Status::InvalidArgument("$orderby: '" + f.name + "' is " +
                                     (f.IsList() ? "a list" : "a multilingual text") +
                                     " and cannot order; " + entity.set_name + " orders by " +
                                     FieldNames(entity, true, dialect));
    }
    for (const store::OrderKey& k : keys) {
      if (k.field == index) {
        return Status::InvalidArgument("$orderby names '" + f.name + "' twice");
      }
    }
    keys.push_back(store::OrderKey{index, desc});
  }
  // The store orders by id ascending last anyway: an explicit trailing "id" (ascending) only
  // repeats it.
  if (!keys.empty() && keys.back().field == model::EntitySpec::kIdField &&
      !keys.back().descending) {
    keys.pop_back();
  }
  return keys;
}

Result<std::vector<int>> ParseSelect(std::string_view text, const model::EntitySpec& entity) {
  std::vector<int> fields;
  std::string_view t = core::Trim(text);
  if (t.empty() || t == "*") return fields;
  std::vector<bool> chosen(entity.fields.size(), false);
  chosen[model::EntitySpec::kIdField] = true;
  for (const std::string& part : core::Split(t, ',')) {
    std::string_view name = core::Trim(part);
    if (name == "*") return std::vector<int>{};
    int index = entity.FieldIndex(name);
    if (index < 0) {
      return Status::InvalidArgument("$select: unknown field '" + std::string(name) + "'; " +
                                     entity.set_name + " has " + FieldNames(entity, false));
    }
    chosen[static_cast<size_t>(index)] = true;
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) fields.push_back(static_cast<int>(i));
  }
  return fields;
}

Result<int64_t> ParseNonNegative(std::string_view text, std::string_view option) {
  auto v = core::ParseInt(core::Trim(text));
  if (!v || *v < 0) {
    return Status::InvalidArgument(std::string(option) + "=" + core::Quote(text, 40).substr(0) +
                                   " is not a non-negative integer");
  }
  return *v;
}

Result<std::vector<ExpandItem>> ParseExpand(std::string_view text, int max_depth) {
  std::vector<ExpandItem> items;
  if (max_depth <= 0) {
    return Status::InvalidArgument("$expand nests deeper than this server's limit");
  }
  for (const std::string& raw : SplitTop(text, ',')) {
    std::string_view part = core::Trim(raw);
    if (part.empty()) return Status::InvalidArgument("$expand has an empty item");
    ExpandItem item;
    size_t open = part.find('(');
    item.name = std::string(core::Trim(part.substr(0, open)));
    if (open != std::string_view::npos) {
      if (part.back() != ')') {
        return Status::InvalidArgument("$expand: unbalanced parentheses in '" + std::string(part) +
                                       "'");
      }
      std::string_view inner = part.substr(open + 1, part.size() - open - 2);
      for (const std::string& opt : SplitTop(inner, ';')) {
        std::string_view o = core::Trim(opt);
        if (o.empty()) continue;
        size_t eq = o.find('=');
        std::string_view name = core::Trim(o.substr(0, eq));
        std::string_view value = eq == std::string_view::npos ? "" : core::Trim(o.substr(eq + 1));
        if (name == "$select") {
          item.select = std::string(value);
        } else if (name == "$expand") {
          MB_ASSIGN_OR_RETURN(item.expand, ParseExpand(value, max_depth - 1));
        } else {
          return Status::InvalidArgument("$expand: the option '" + std::string(name) + "' inside " +
                                         item.name +
                                         "(...) is not supported (only $select and "
                                         "$expand)");
        }
      }
    }
    if (item.name.empty()) return Status::InvalidArgument("$expand has an item without a name");
    items.push_back(std::move(item));
  }
  return items;
}

Result<Page> ReadPage(store::ReadView& view, const PageSpec& spec) {
  store::Query q;
  q.entity = spec.entity;
  q.filter = spec.filter;
  q.order_by = spec.order;
  q.limit = spec.limit + 1;
  q.offset = spec.after.empty() ? spec.offset : 0;
  q.after = spec.after;
  Page page;
  page.records.reserve(static_cast<size_t>(std::min<int64_t>(spec.limit, 1000)));
  Status st = view.Scan(q, [&](const model::Record& r) {
    if (static_cast<int64_t>(page.records.size()) >= spec.limit) {
      page.more = true;
      return Status::Aborted("page full");
    }
    page.records.push_back(r);
    return Status::Ok();
  });
  if (!st.ok() && !(page.more && st.code() == Status::Code::kAborted)) return st;
  return page;
}

http::HttpError StoreError(const Status& status, std::string_view what) {
  if (status.code() == Status::Code::kInvalidArgument) {
    return http::HttpError{400, "BadRequest", status.message(), ""};
  }
  core::LogError("publish: the store failed while " + std::string(what) + ": " + status.ToString());
  return http::HttpError{503, "ServiceUnavailable",
                         "the store could not answer right now; try again shortly", ""};
}

std::optional<std::string> ParseKeyPredicate(std::string_view inside) {
  std::string_view s = core::Trim(inside);
  // id='...' (named key) as well as '...'
  if (s.substr(0, 2) == "id") {
    std::string_view rest = core::Trim(s.substr(2));
    if (!rest.empty() && rest[0] == '=') s = core::Trim(rest.substr(1));
  }
  if (s.size() < 2 || s.front() != '\'' || s.back() != '\'') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\'') {
      if (i + 2 < s.size() && s[i + 1] == '\'') {
        out.push_back('\'');
        ++i;
        continue;
      }
      return std::nullopt;  // a lone quote inside
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace meabridge::publish::odata
