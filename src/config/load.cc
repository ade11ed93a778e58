// Loading the configuration: parse (codec/doc_tree), check every element and attribute against
// the spec (config/spec.cc), then build the typed Config. Every error is collected, so that one
// `check-config` run lists them all.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <tuple>

#include "config/config.h"
#include "config/spec.h"
#include "config/values.h"
#include "core/strings.h"
#include "core/time_zone.h"

namespace meabridge::config {
namespace fs = std::filesystem;

namespace {

// "5m", "90s", "250ms": the shortest exact form of a duration, for hints.
std::string HumanDuration(int64_t ms) {
  if (ms > 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms > 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms > 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

class Loader {
 public:
  Loader(std::string base_dir, std::vector<ConfigError>* errors)
      : base_dir_(std::move(base_dir)), errors_(errors) {}

  void Error(const codec::DocPosition& pos, std::string message, std::string hint = "") {
    errors_->push_back(ConfigError{pos, std::move(message), std::move(hint)});
  }

  // ---- generic checks against the spec ----

  void CheckElement(const codec::DocNode& node, const ElementSpec& spec) {
    std::vector<std::string> attr_names;
    for (const AttrSpec& a : spec.attributes) attr_names.push_back(a.name);
    std::set<std::string> seen;
    for (const codec::DocAttribute& a : node.attributes) {
      if (!seen.insert(a.name).second) {
        Error(a.position, "attribute '" + a.name + "' given twice on <" + node.name + ">");
      }
      const AttrSpec* as = spec.Attr(a.name);
      if (!as) {
        if (attr_names.empty()) {
          Error(a.position, "unknown attribute '" + a.name + "' on <" + node.name + ">: <" +
                                node.name + "> takes no attributes; remove it");
          continue;
        }
        std::string close = ClosestMatch(a.name, attr_names);
        Error(a.position, "unknown attribute '" + a.name + "' on <" + node.name + ">",
              close.empty() ? "one of: " + core::Join(attr_names, ", ")
                            : close + "=\"...\" (did you mean '" + close + "'?)");
        continue;
      }
      CheckValue(node, a, *as);
    }
    for (const AttrSpec& as : spec.attributes) {
      if (as.required && !node.Has(as.name)) {
        Error(node.position, "<" + node.name + "> needs the attribute '" + as.name + "'",
              as.name + "=\"" + (as.example.empty() ? "..." : as.example) + "\" (" + as.doc + ")");
      }
    }
    if (!node.text.empty()) {
      Error(node.position, "<" + node.name + "> takes no text content", "put values in attributes");
    }
    std::vector<std::string> child_names;
    for (const ElementSpec& c : spec.children) child_names.push_back(c.name);
    std::map<std::string, int> counts;
    std::map<std::string, std::map<std::string, codec::DocPosition>> keys;
    for (const codec::DocNode& child : node.children) {
      const ElementSpec* cs = spec.Child(child.name);
      if (!cs) {
        std::string close = ClosestMatch(child.name, child_names);
        Error(child.position, "unknown element <" + child.name + "> in <" + node.name + ">",
              close.empty() ? (child_names.empty() ? "no child elements here"
                                                   : "one of: " + core::Join(child_names, ", "))
                            : "<" + close + "> (did you mean '" + close + "'?)");
        continue;
      }
      if (++counts[child.name] == 2 && !cs->repeated) {
        Error(child.position, "<" + child.name + "> may appear only once in <" + node.name + ">",
              "merge its attributes into the first <" + child.name + ">");
      }
      if (!cs->key.empty() && child.Has(cs->key)) {
        std::string k = child.Get(cs->key);
        auto [it, fresh] = keys[child.name].emplace(k, child.position);
        if (!fresh) {
          Error(child.position,
                "duplicate <" + child.name + " " + cs->key + "=\"" + k + "\">, first at " +
                    it->second.ToString(),
                "give each <" + child.name + "> a different " + cs->key);
        }
      }
      CheckElement(child, *cs);
    }
    for (const ElementSpec& cs : spec.children) {
      if (cs.required && counts[cs.name] == 0) {
        Error(node.position, "<" + node.name + "> needs a <" + cs.name + "> element", cs.doc);
      }
    }
  }

  void CheckValue(const codec::DocNode& node, const codec::DocAttribute& a, const AttrSpec& as) {
    const std::string& v = a.value;
    std::string where = "<" + node.name + " " + a.name + "=\"" + v + "\">";
    switch (as.kind) {
      case ValueKind::kInt: {
        auto n = core::ParseInt(core::Trim(v));
        if (!n || *n < as.min || *n > as.max) {
          Error(a.position,
                where + ": expected an integer from " + std::to_string(as.min) + " to " +
                    std::to_string(as.max),
                a.name + "=\"" +
                    (as.default_value.empty() ? std::to_string(as.min) : as.default_value) + "\"");
        }
        break;
      }
      case ValueKind::kBool:
        if (!ParseBool(v))
          Error(a.position, where + ": expected true or false", a.name + "=\"true\"");
        break;
      case ValueKind::kDuration:
        if (DurationTooLong(v)) {
          Error(a.position, where + ": too long; the longest duration is " + kMaxDurationText,
                a.name + "=\"30s\" (ms, s, m, h, d)");
        } else if (!ParseDurationMs(v)) {
          Error(a.position, where + ": expected a duration", a.name + "=\"30s\" (ms, s, m, h, d)");
        }
        break;
      case ValueKind::kSize:
        if (!ParseSizeBytes(v)) {
          Error(a.position, where + ": expected a size", a.name + "=\"10MB\" (B, KB, MB, GB)");
        }
        break;
      case ValueKind::kShare:
        if (!ParseShare(v)) {
          Error(a.position, where + ": expected a share from 0 to 1",
                a.name + "=\"20%\" or \"0.2\"");
        }
        break;
      case ValueKind::kChoice: {
        bool ok = false;
        for (const std::string& c : as.choices) ok = ok || c == v;
        if (!ok) {
          std::string close = ClosestMatch(v, as.choices);
          Error(a.position, where + ": not one of " + core::Join(as.choices, ", "),
                a.name + "=\"" + (close.empty() ? as.choices.front() : close) + "\"");
        }
        break;
      }
      case ValueKind::kUrl:
        if (v.find("://") == std::string::npos) {
          Error(a.position, where + ": expected an absolute URL",
                a.name + "=\"" + (as.example.empty() ? "https://example.org/feed" : as.example) +
                    "\"");
        }
        break;
      case ValueKind::kPath:
      case ValueKind::kString:
        if (v.empty() && as.required) {
          Error(a.position, where + ": must not be empty",
                a.name + "=\"" + (as.example.empty() ? "..." : as.example) + "\"");
        }
        break;
    }
  }

  // ---- typed building (runs only when the generic checks passed) ----

  std::string Attr(const codec::DocNode& node, const ElementSpec& spec, const std::string& name) {
    if (const codec::DocAttribute* a = node.Attribute(name)) return a->value;
    const AttrSpec* as = spec.Attr(name);
    return as ? as->default_value : "";
  }

  std::string ExpandVars(const std::string& v) {
    static const std::string kVar = "${datadir}";
    std::string out = v;
    for (size_t at; (at = out.find(kVar)) != std::string::npos;)
      out.replace(at, kVar.size(), DataDir());
    return out;
  }

  std::string ResolvePath(const std::string& raw) {
    std::string p = ExpandVars(raw);
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base_dir_) / p).lexically_normal().string();
  }

  // A mapping path: this file's folder first, then the installed mappings.
  std::string ResolveMapping(const codec::DocAttribute& a) {
    std::string p = ExpandVars(a.value);
    if (fs::path(p).is_absolute()) {
      if (!fs::exists(p)) Error(a.position, "mapping file " + p + " does not exist");
      return p;
    }
    std::string local = (fs::path(base_dir_) / p).lexically_normal().string();
    if (fs::exists(local)) return local;
    std::string shipped = (fs::path(DataDir()) / p).lexically_normal().string();
    if (fs::exists(shipped)) return shipped;
    Error(a.position,
          "mapping file '" + a.value + "' not found (looked in " + base_dir_ + " and " + DataDir() +
              ")",
          "a path relative to the configuration file, or a shipped mapping such as "
          "mappings/informea-odata-v2/contacts.xml");
    return local;
  }

  std::string ResolveStore(const codec::DocAttribute* a, const std::string& value) {
    std::string_view scheme = core::UrlScheme(value);
    std::string lower = core::AsciiLower(scheme);
    if (lower == "postgresql" || lower == "postgres") return value;
    if (!scheme.empty() && value.rfind("sqlite:", 0) != 0) {
      // Not a file name (mysql://... was once taken for a relative SQLite path). The rest of
      // the value may hold a password: only the scheme is shown.
      Error(a ? a->position : codec::DocPosition{},
            "the store location is a " + std::string(scheme) +
                ":// URL; meabridge stores into SQLite or PostgreSQL only",
            "location=\"sqlite:/var/lib/meabridge/meabridge.db\" or "
            "location=\"postgresql://USER:PASSWORD@HOST:5432/DATABASE\"");
      return value;
    }
    std::string path = value.rfind("sqlite:", 0) == 0 ? value.substr(7) : value;
    if (path.empty()) {
      Error(a ? a->position : codec::DocPosition{}, "empty SQLite path in the store location",
            "location=\"sqlite:meabridge.db\"");
    }
    return "sqlite:" + ResolvePath(path);
  }

  void BuildSource(const codec::DocNode& node, const ElementSpec& spec, Config* cfg) {
    SourceConfig s;
    s.position = node.position;
    s.name = Attr(node, spec, "name");
    s.kind = Attr(node, spec, "kind");
    s.url = Attr(node, spec, "url");
    s.schedule = Attr(node, spec, "schedule");
    s.enabled = ParseBool(Attr(node, spec, "enabled")).value_or(true);
    BuildSchedule(node, spec, &s);
    bool name_ok = !s.name.empty();
    for (char c : s.name) {
      name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.');
    }
    if (!name_ok) {
      std::string fixed = core::AsciiLower(s.name);
      for (char& c : fixed) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) c = '-';
      }
      Error(node.Attribute("name")->position,
            "source name '" + s.name +
                "' has characters "
                "other than a-z, 0-9, '-', '_' and '.'",
            "name=\"" + fixed + "\"");
    }
    if (s.kind == "http" && s.url.empty()) {
      Error(node.position, "source '" + s.name + "' of kind http needs a url",
            "url=\"https://example.org/informea.svc/Contacts\"");
    }
    if (s.kind == "http" && !s.url.empty() && s.url.rfind("http://", 0) != 0 &&
        s.url.rfind("https://", 0) != 0) {
      Error(node.Attribute("url")->position,
            "source '" + s.name +
                "': only http and https URLs "
                "can be harvested",
            "url=\"https://...\"");
    }
    if (s.kind == "file") {
      const codec::DocAttribute* p = node.Attribute("path");
      if (!p) {
        Error(node.position, "source '" + s.name + "' of kind file needs a path",
              "path=\"data/contacts.json\"");
      } else {
        s.path = ResolvePath(p->value);
        if (!fs::exists(s.path)) Error(p->position, "file " + s.path + " does not exist");
      }
    }
    s.vocabulary = Attr(node, spec, "vocabulary");
    if (s.kind == "vocabulary" && s.vocabulary.empty()) {
      Error(node.position, "source '" + s.name + "' of kind vocabulary needs a vocabulary",
            "vocabulary=\"treaties\"");
    }
    if (s.kind != "vocabulary" && node.Has("vocabulary")) {
      Error(node.Attribute("vocabulary")->position,
            "source '" + s.name + "': vocabulary applies to vocabulary sources (this one is " +
                s.kind + ")",
            "remove vocabulary=\"...\"");
    }
    if (const codec::DocAttribute* m = node.Attribute("mapping")) s.mapping = ResolveMapping(*m);
    const ElementSpec* pspec = spec.Child("param");
    for (const codec::DocNode* p : node.Children("param")) {
      s.params[Attr(*p, *pspec, "name")] = Attr(*p, *pspec, "value");
    }
    BuildHarvest(node, spec, &s);
    cfg->sources.push_back(std::move(s));
  }

  // schedule and jitter (docs/daemon.md): parsed here, so that a bad schedule is a
  // configuration error with its position rather than a surprise when `serve` starts.
  void BuildSchedule(const codec::DocNode& node, const ElementSpec& spec, SourceConfig* s) {
    const codec::DocAttribute* sa = node.Attribute("schedule");
    Result<Schedule> when = Schedule::Parse(s->schedule);
    if (!when.ok()) {
      Error(sa ? sa->position : node.position,
            "source '" + s->name + "': bad schedule: " + when.status().message());
      return;
    }
    s->when = *when;
    s->jitter_ms = s->when.DefaultJitterMs();
    if (const codec::DocAttribute* ja = node.Attribute("jitter")) {
      auto ms = ParseDurationMs(ja->value);
      if (!ms) return;  // reported by the generic checks
      s->jitter_ms = *ms;
      int64_t gap = s->when.MinGapMs();
      if (gap > 0 && *ms >= gap) {
        Error(ja->position,
              "source '" + s->name + "': jitter " + ja->value +
                  " is not shorter than the time between two slots of \"" + s->schedule + "\"",
              "jitter=\"" + HumanDuration(gap / 10) + "\" (a tenth of it) or less");
      }
    }
    (void)spec;
  }

  // The harvesting keys of a <source> (docs/harvesting.md), and the checks that span several
  // of them. Values were checked against the spec already; the fallbacks keep Build total.
  void BuildHarvest(const codec::DocNode& node, const ElementSpec& spec, SourceConfig* s) {
    auto get = [&](const char* name) { return Attr(node, spec, name); };
    auto int_of = [&](const char* name, int64_t fallback) {
      return core::ParseInt(core::Trim(get(name))).value_or(fallback);
    };
    auto ms_of = [&](const char* name, int64_t fallback) {
      return ParseDurationMs(get(name)).value_or(fallback);
    };
    auto bool_of = [&](const char* name, bool fallback) {
      return ParseBool(get(name)).value_or(fallback);
    };
    auto where = [&](const char* name) {
      const codec::DocAttribute* a = node.Attribute(name);
      return a ? a->position : node.position;
    };
    const std::string who = "source '" + s->name + "'";
    s->paging = get("paging");
    s->page_size = static_cast<int>(int_of("page-size", 1000));
    s->page_param = get("page-param");
    s->size_param = get("size-param");
    s->first_page = static_cast<int>(int_of("first-page", 1));
    s->max_pages = static_cast<int>(int_of("max-pages", 10000));
    s->deletion = get("deletion");
    s->max_deletion_share = ParseShare(get("max-deletion-share")).value_or(0.2);
    s->not_found = get("not-found");
    s->max_reject_share = ParseShare(get("max-reject-share")).value_or(1.0);
    s->expect_min_records = int_of("expect-min-records", 0);
    s->expect_min_share = ParseShare(get("expect-min-share")).value_or(0.0);
    s->expect_action = get("expect-action");
    for (std::string_view part : core::Split(get("share-with"), ' ')) {
      for (std::string_view name : core::Split(part, ',')) {
        std::string n(core::Trim(name));
        if (n.empty()) continue;
        bool ok = true;
        for (char c : n) {
          ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                      c == '.');
        }
        if (!ok) {
          Error(where("share-with"),
                who + ": share-with names '" + n + "', which is not a source name (a-z, 0-9, "
                "'-', '_' and '.')",
                "share-with=\"other-source another-source\"");
        } else if (n == s->name) {
          Error(where("share-with"), who + ": share-with names the source itself",
                "remove '" + n + "' from share-with");
        } else if (std::find(s->share_with.begin(), s->share_with.end(), n) ==
                   s->share_with.end()) {
          s->share_with.push_back(n);
        }
      }
    }
    s->probe_url = get("probe-url");
    s->incremental = get("incremental");
    s->since_filter = get("since-filter");
    s->since_param = get("since-param");
    s->since_format = get("since-format");
    s->since_overlap_ms = ms_of("since-overlap", 60000);
    s->full_every_ms = ms_of("full-every", 86400000);
    s->conditional = bool_of("conditional", true);
    s->auth = get("auth");
    s->auth_user = get("auth-user");
    s->auth_header = get("auth-header");
    if (node.Has("secret-file")) s->secret_file = ResolvePath(get("secret-file"));
    s->secret_env = get("secret-env");
    s->connect_timeout_ms = ms_of("connect-timeout", 10000);
    s->timeout_ms = ms_of("timeout", 120000);
    s->max_size = ParseSizeBytes(get("max-size")).value_or(int64_t{256} << 20);
    s->max_redirects = static_cast<int>(int_of("max-redirects", 5));
    s->tls_verify = bool_of("tls-verify", true);
    s->retries = static_cast<int>(int_of("retries", 4));
    s->retry_delay_ms = ms_of("retry-delay", 1000);
    s->retry_max_delay_ms = ms_of("retry-max-delay", 60000);
    s->driver = get("driver");
    s->connection = get("connection");
    s->query = get("query");
    s->key = get("key");
    s->default_language = get("default-language");
    s->time_zone = get("time-zone");
    if (!s->time_zone.empty()) {
      Result<core::TimeZone> zone = core::TimeZone::Parse(s->time_zone);
      if (!zone.ok()) Error(where("time-zone"), who + ": " + zone.status().message());
    }
    if (const ElementSpec* cspec = spec.Child("child")) {
      for (const codec::DocNode* c : node.Children("child")) {
        s->children.push_back(ChildQueryConfig{Attr(*c, *cspec, "name"), Attr(*c, *cspec, "query"),
                                               Attr(*c, *cspec, "key"), c->position});
      }
    }
    if (const ElementSpec* hspec = spec.Child("header")) {
      for (const codec::DocNode* h : node.Children("header")) {
        s->headers.push_back(HeaderConfig{Attr(*h, *hspec, "name"), Attr(*h, *hspec, "value")});
      }
    }

    const bool http = s->kind == "http";
    auto only_http = [&](const char* key, bool given) {
      if (given && !http) {
        Error(where(key),
              who + ": " + key + " applies to http sources (this one is " + s->kind + ")",
              "remove " + std::string(key) + "=\"...\"");
      }
    };
    only_http("paging", node.Has("paging") && s->paging != "auto" && s->paging != "none");
    only_http("auth", s->auth != "none");
    only_http("probe-url", !s->probe_url.empty());
    if (!http && !node.Children("header").empty()) {
      Error(node.Children("header")[0]->position,
            who + ": <header> applies to http sources (this one is " + s->kind + ")",
            "remove the <header> element");
    }
    if (s->deletion == "probe" && !http) {
      Error(where("deletion"),
            who +
                ": deletion=\"probe\" fetches records one by one over HTTP; "
                "a " +
                s->kind + " source cannot be probed",
            "deletion=\"snapshot\" (every run of a " + s->kind + " source is complete)");
    }
    if (s->incremental == "filter" || s->incremental == "cursor") {
      only_http("incremental", true);
    }
    if (s->incremental == "param" && (s->kind == "file" || s->kind == "vocabulary")) {
      Error(where("incremental"),
            who + ": a " + s->kind + " source has no query to add a parameter to",
            "incremental=\"none\"");
    }
    if (s->incremental == "filter" && s->since_filter.find("{since}") == std::string::npos) {
      Error(where("since-filter"), who + ": since-filter must contain {since}",
            "since-filter=\"updated gt {since}\"");
    }
    if (!s->probe_url.empty() && s->probe_url.find("{id}") == std::string::npos) {
      Error(where("probe-url"), who + ": probe-url must contain {id}",
            "probe-url=\"https://host/informea.svc/Contacts('{id}')\"");
    }
    if (!s->secret_file.empty() && !s->secret_env.empty()) {
      Error(where("secret-env"),
            who +
                ": give the secret either in a file or in an environment "
                "variable, not both",
            "remove secret-env=\"...\" or secret-file=\"...\"");
    }
    if (!s->secret_file.empty() && !fs::exists(s->secret_file)) {
      Error(where("secret-file"), who + ": secret file " + s->secret_file + " does not exist",
            "create it (readable by meabridge only), or point secret-file at it");
    }
    const bool has_secret = !s->secret_file.empty() || !s->secret_env.empty();
    if (s->auth != "none" && !has_secret) {
      Error(where("auth"), who + ": auth=\"" + s->auth + "\" needs a secret",
            "secret-file=\"/etc/meabridge/" + s->name + ".secret\" or secret-env=\"VARIABLE\"");
    }
    if (s->auth == "basic" && s->auth_user.empty()) {
      Error(where("auth"), who + ": auth=\"basic\" needs auth-user", "auth-user=\"harvester\"");
    }
    if (s->auth == "header" && s->auth_header.empty()) {
      Error(where("auth"), who + ": auth=\"header\" needs auth-header (the header's name)",
            "auth-header=\"X-API-Key\"");
    }
    if (s->kind == "sql") {
      if (s->driver.empty()) {
        Error(node.position, who + " of kind sql needs a driver", "driver=\"sqlite\"");
      }
      if (s->connection.empty()) {
        Error(node.position, who + " of kind sql needs a connection",
              "connection=\"/var/lib/secretariat/nfp.db\"");
      }
      if (s->query.empty()) {
        Error(node.position, who + " of kind sql needs a query",
              "query=\"SELECT * FROM focal_points\"");
      }
      if (s->incremental == "param" && s->query.find("{since}") == std::string::npos) {
        Error(where("incremental"), who + ": incremental=\"param\" needs {since} in the query",
              "query=\"SELECT * FROM focal_points WHERE updated > {since}\"");
      }
      if (!s->children.empty() && s->key.empty()) {
        Error(node.position,
              who + " has <child> queries but no key: which main-query column do their key "
                    "columns refer to?",
              "key=\"id\" (and the main query ordered by it)");
      }
      const bool since = s->incremental == "param";
      for (const ChildQueryConfig& c : s->children) {
        if (since && c.query.find("{since}") == std::string::npos) {
          Error(c.position,
                who + ": child '" + c.name +
                    "' needs {since} too: an incremental run reads only the changed records, "
                    "and the children of the others would be orphans",
                "query=\"SELECT ... FROM child JOIN main ON ... WHERE main.updated > {since} "
                "ORDER BY ...\"");
        }
      }
      if (s->driver == "sqlite" && !s->connection.empty()) {
        s->connection = ResolvePath(s->connection);
      }
    } else {
      if (!node.Children("child").empty()) {
        Error(node.Children("child")[0]->position,
              who + ": <child> applies to sql sources (this one is " + s->kind + ")",
              "remove the <child> element");
      }
      for (const char* key :
           {"driver", "connection", "query", "key", "default-language", "time-zone"}) {
        if (node.Has(key)) {
          Error(where(key),
                who + ": " + key + " applies to sql sources (this one is " + s->kind + ")",
                "remove " + std::string(key) + "=\"...\"");
        }
      }
    }
  }

  void Build(const codec::DocNode& root, const ElementSpec& spec, Config* cfg) {
    const ElementSpec* store = spec.Child("store");
    const codec::DocNode* store_node = root.Child("store");
    std::string loc =
        store_node ? Attr(*store_node, *store, "location") : store->Attr("location")->default_value;
    cfg->store_location =
        ResolveStore(store_node ? store_node->Attribute("location") : nullptr, loc);

    const ElementSpec* server = spec.Child("server");
    codec::DocNode empty;
    const codec::DocNode* server_node = root.Child("server");
    if (!server_node) server_node = &empty;
    cfg->server_bind = Attr(*server_node, *server, "bind");
    cfg->server_port =
        static_cast<int>(core::ParseInt(Attr(*server_node, *server, "port")).value_or(8080));
    BuildServer(*server_node, *server, cfg);

    const ElementSpec* log = spec.Child("log");
    const codec::DocNode* log_node = root.Child("log");
    if (!log_node) log_node = &empty;
    core::ParseLogLevel(Attr(*log_node, *log, "level"), &cfg->log_level);

    if (const codec::DocNode* admin_node = root.Child("admin")) {
      if (const codec::DocAttribute* a = admin_node->Attribute("token-file")) {
        cfg->admin_token_file = ResolvePath(a->value);
        if (!cfg->admin_token_file.empty() && !fs::exists(cfg->admin_token_file)) {
          Error(a->position, "admin token file " + cfg->admin_token_file + " does not exist",
                "create it with: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE");
        }
      }
    }

    const ElementSpec* scheduler = spec.Child("scheduler");
    const codec::DocNode* scheduler_node = root.Child("scheduler");
    if (!scheduler_node) scheduler_node = &empty;
    cfg->scheduler_max_concurrent_runs = static_cast<int>(
        core::ParseInt(core::Trim(Attr(*scheduler_node, *scheduler, "max-concurrent-runs")))
            .value_or(4));
    cfg->scheduler_run_timeout_ms =
        ParseDurationMs(Attr(*scheduler_node, *scheduler, "run-timeout")).value_or(3600000);
    cfg->scheduler_stop_timeout_ms =
        ParseDurationMs(Attr(*scheduler_node, *scheduler, "stop-timeout")).value_or(20000);
    cfg->scheduler_lease_ttl_ms =
        ParseDurationMs(Attr(*scheduler_node, *scheduler, "lease-ttl")).value_or(30000);
    if (cfg->scheduler_lease_ttl_ms < 1000) {
      Error(scheduler_node->Attribute("lease-ttl")->position,
            "<scheduler lease-ttl> must be at least 1s (it is renewed every third of it)",
            "lease-ttl=\"30s\"");
    }
    if (cfg->scheduler_run_timeout_ms < 1000) {
      Error(scheduler_node->Attribute("run-timeout")->position,
            "<scheduler run-timeout> must be at least 1s", "run-timeout=\"1h\"");
    }

    const ElementSpec* source = spec.Child("source");
    for (const codec::DocNode* s : root.Children("source")) BuildSource(*s, *source, cfg);
    // Sharing goes both ways: a source named in another's share-with shares with it too.
    for (size_t i = 0; i < cfg->sources.size(); ++i) {
      for (size_t k = 0; k < cfg->sources[i].share_with.size(); ++k) {
        const std::string other = cfg->sources[i].share_with[k];
        for (SourceConfig& o : cfg->sources) {
          if (o.name != other) continue;
          if (std::find(o.share_with.begin(), o.share_with.end(), cfg->sources[i].name) ==
              o.share_with.end()) {
            o.share_with.push_back(cfg->sources[i].name);
          }
        }
      }
    }

    const ElementSpec* profile = spec.Child("profile");
    for (const codec::DocNode* p : root.Children("profile")) BuildProfile(*p, *profile, cfg);
  }

  // <server>: the publisher's settings. Values were checked against the spec already; the
  // fallbacks below only keep Build total when they were not.
  void BuildServer(const codec::DocNode& node, const ElementSpec& spec, Config* cfg) {
    auto int_of = [&](const char* name, int64_t fallback) {
      return core::ParseInt(core::Trim(Attr(node, spec, name))).value_or(fallback);
    };
    cfg->server_public_url = Attr(node, spec, "public-url");
    if (!cfg->server_public_url.empty() && cfg->server_public_url.back() != '/') {
      cfg->server_public_url += '/';
    }
    cfg->server_threads = static_cast<int>(int_of("threads", 128));
    cfg->server_queue = static_cast<int>(int_of("queue", 512));
    cfg->server_max_connections = static_cast<int>(int_of("max-connections", 10000));
    cfg->server_max_connections_per_client =
        static_cast<int>(int_of("max-connections-per-client", 256));
    cfg->server_keep_alive_timeout_ms =
        ParseDurationMs(Attr(node, spec, "keep-alive-timeout")).value_or(15000);
    cfg->server_header_timeout_ms =
        ParseDurationMs(Attr(node, spec, "header-timeout")).value_or(10000);
    cfg->server_request_timeout_ms =
        ParseDurationMs(Attr(node, spec, "request-timeout")).value_or(30000);
    cfg->server_max_url_length = ParseSizeBytes(Attr(node, spec, "max-url-length")).value_or(8192);
    cfg->server_max_header_size =
        ParseSizeBytes(Attr(node, spec, "max-header-size")).value_or(16384);
    cfg->server_page_size = static_cast<int>(int_of("page-size", 100));
    cfg->server_max_top = static_cast<int>(int_of("max-top", 1000));
    cfg->server_max_expand_depth = static_cast<int>(int_of("max-expand-depth", 2));
    cfg->server_cache_bytes = ParseSizeBytes(Attr(node, spec, "cache-size")).value_or(64 << 20);
    cfg->server_access_log = ParseBool(Attr(node, spec, "access-log")).value_or(true);
    cfg->server_publish_rejects = ParseBool(Attr(node, spec, "publish-rejects")).value_or(false);
    if (const codec::DocAttribute* a = node.Attribute("link-secret-file")) {
      cfg->server_link_secret_file = ResolvePath(a->value);
      if (!cfg->server_link_secret_file.empty() && !fs::exists(cfg->server_link_secret_file)) {
        Error(
            a->position, "link secret file " + cfg->server_link_secret_file + " does not exist",
            "create it with: head -c 32 /dev/urandom | base64 > FILE (and share it between nodes)");
      }
    }
  }

  void BuildProfile(const codec::DocNode& node, const ElementSpec& spec, Config* cfg) {
    ProfileConfig p;
    p.position = node.position;
    p.name = Attr(node, spec, "name");
    bool name_ok = !p.name.empty();
    for (char c : p.name) {
      name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.');
    }
    if (!name_ok && node.Attribute("name")) {
      Error(node.Attribute("name")->position,
            "profile name '" + p.name + "' has characters other than a-z, 0-9, '-', '_' and '.'",
            "name=\"" + core::AsciiLower(p.name) + "\"");
    }
    if (const codec::DocAttribute* m = node.Attribute("mapping")) p.mapping = ResolveMapping(*m);
    cfg->profiles.push_back(std::move(p));
  }

 private:
  std::string base_dir_;
  std::vector<ConfigError>* errors_;
};

LoadResult LoadTree(Result<codec::DocNode> tree, const std::string& file,
                    const std::string& base_dir) {
  LoadResult out;
  if (!tree.ok()) {
    out.errors.push_back(ConfigError{codec::DocPosition{file, 0, 0}, tree.status().message(), ""});
    return out;
  }
  const ElementSpec& spec = ConfigSpec();
  Loader loader(base_dir, &out.errors);
  if (tree->name != spec.name) {
    loader.Error(tree->position, "the root element is <" + tree->name + ">",
                 "<meabridge> ... </meabridge>");
    return out;
  }
  loader.CheckElement(*tree, spec);
  // Build even when the generic checks failed, so that one check-config run lists every error
  // (Build reads invalid values through fallbacks and never trusts them).
  auto cfg = std::make_shared<Config>();
  cfg->file = file;
  cfg->base_dir = base_dir;
  loader.Build(*tree, spec, cfg.get());
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::tie(a.position.line, a.position.column) <
                            std::tie(b.position.line, b.position.column);
                   });
  if (out.errors.empty()) out.config = std::move(cfg);
  return out;
}

std::string CurrentDir() {
  std::error_code ec;
  fs::path p = fs::current_path(ec);
  return ec ? "." : p.string();
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string s = position.ToString();
  if (!s.empty()) s += ": ";
  s += message;
  if (!hint.empty()) s += "; write instead: " + hint;
  return s;
}

const SourceConfig* Config::FindSource(const std::string& name) const {
  for (const SourceConfig& s : sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

LoadResult LoadConfigFile(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  std::string base = ec ? "." : abs.parent_path().string();
  return LoadTree(codec::LoadDocFile(path), path, base);
}

LoadResult LoadConfigText(std::string_view text, const std::string& file_name,
                          const std::string& base_dir, bool json) {
  return LoadTree(json ? codec::ParseJsonDoc(text, file_name) : codec::ParseXmlDoc(text, file_name),
                  file_name, base_dir);
}

LoadResult LoadDefaultConfig() {
  return LoadConfigText(DefaultConfigText(), "(embedded default configuration)", CurrentDir());
}

std::string DataDir() {
  if (const char* env = std::getenv("MEABRIDGE_DATADIR"); env && *env) return env;
  std::error_code ec;
  // An installed binary: <prefix>/bin/meabridge -> <prefix>/share/meabridge.
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "meabridge";
    if (fs::exists(installed / "mappings", ec)) return installed.string();
  }
  if (fs::exists(fs::path(MEABRIDGE_DATADIR) / "mappings", ec)) return MEABRIDGE_DATADIR;
  return MEABRIDGE_SOURCE_DIR;  // a build tree
}

}  // namespace meabridge::config
