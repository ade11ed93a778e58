#include "config/spec.h"

namespace meabridge::config {
namespace {

using K = ValueKind;

AttrSpec A(std::string name, ValueKind kind, std::string doc, std::string def = "",
           std::string example = "") {
  AttrSpec a;
  a.name = std::move(name);
  a.kind = kind;
  a.doc = std::move(doc);
  a.default_value = std::move(def);
  a.example = std::move(example);
  return a;
}
AttrSpec Required(AttrSpec a) {
  a.required = true;
  return a;
}
AttrSpec Choice(std::string name, std::vector<std::string> choices, std::string doc,
                std::string def = "") {
  AttrSpec a = A(std::move(name), K::kChoice, std::move(doc), std::move(def));
  a.choices = std::move(choices);
  return a;
}
AttrSpec Int(std::string name, int64_t min, int64_t max, std::string doc, std::string def = "") {
  AttrSpec a = A(std::move(name), K::kInt, std::move(doc), std::move(def));
  a.min = min;
  a.max = max;
  return a;
}

ElementSpec E(std::string name, std::string doc) {
  ElementSpec e;
  e.name = std::move(name);
  e.doc = std::move(doc);
  return e;
}

ElementSpec Build() {
  ElementSpec store = E("store", "Where records, runs, rejects and watermarks are kept.");
  store.attributes = {
      A("location", K::kString,
        "sqlite:PATH (or a plain PATH) for the embedded SQLite store, relative to the "
        "configuration file's folder; or a postgresql:// URL",
        "sqlite:meabridge.db", "sqlite:/var/lib/meabridge/meabridge.db"),
  };

  ElementSpec server = E("server", "The HTTP server that publishes feeds.");
  server.attributes = {
      A("bind", K::kString, "Address to listen on", "127.0.0.1", "0.0.0.0"),
      Int("port", 1, 65535, "TCP port", "8080"),
      A("public-url", K::kUrl,
        "The address partners reach this server at (behind a proxy: the proxy's URL); links in "
        "feeds (next links, delta links, ids) start with it. Default: http://HOST/ from each "
        "request's Host header",
        "", "https://data.example.org/"),
      Int("threads", 2, 4096,
          "Worker threads: each serves one connection at a time, so this is the number of "
          "keep-alive connections served at once",
          "128"),
      Int("queue", 1, 65536, "Accepted connections waiting for a free worker thread", "512"),
      A("keep-alive-timeout", K::kDuration, "How long an idle keep-alive connection stays open",
        "15s", "5s"),
      A("request-timeout", K::kDuration,
        "How long reading a request or writing a response may stall before the connection is "
        "closed",
        "30s", "10s"),
      A("max-url-length", K::kSize, "Longest request target (path and query) accepted (414 above)",
        "8KB", "16KB"),
      A("max-header-size", K::kSize, "Largest total size of a request's headers (431 above)",
        "16KB", "32KB"),
      Int("page-size", 1, 100000,
          "Records per page when a request does not say ($top absent): OData, Atom, JSON-LD",
          "100"),
      Int("max-top", 1, 1000000, "Largest $top accepted (400 above)", "1000"),
      Int("max-expand-depth", 0, 8, "How deeply $expand may nest", "2"),
      A("cache-size", K::kSize,
        "Memory for rendered responses, reused until the store changes (0 turns the cache off)",
        "64MB", "256MB"),
      A("access-log", K::kBool, "Log one line per request (method, target, status, bytes, latency)",
        "true"),
      A("link-secret-file", K::kPath,
        "A file whose content signs next links and delta links; nodes that share a store must "
        "share it. Without it, links are signed with a key built into meabridge (tamper-evident, "
        "but not secret)",
        "", "/etc/meabridge/link-secret"),
  };

  ElementSpec profile = E("profile",
                          "A partner profile: feeds at /feeds/NAME/ENTITY rendered by an outbound "
                          "mapping.");
  profile.repeated = true;
  profile.key = "name";
  profile.attributes = {
      Required(A("name", K::kString,
                 "Profile name in the URL: lower-case letters, digits, '-', '_' and '.'", "",
                 "cbd-portal")),
      Required(A("mapping", K::kPath,
                 "The outbound mapping file; looked up like a source's mapping", "",
                 "mappings/outbound/cbd-portal-contacts.xml")),
  };

  ElementSpec log = E("log", "Logging (to stderr; the journal under systemd).");
  log.attributes = {
      Choice("level", {"error", "warning", "notice", "info", "debug"}, "Most verbose level written",
             "info"),
  };

  ElementSpec param = E("param", "A mapping parameter, used in the mapping as {param.NAME}.");
  param.repeated = true;
  param.key = "name";
  param.attributes = {
      Required(A("name", K::kString, "Parameter name", "", "treaty")),
      Required(A("value", K::kString, "Parameter value", "", "cbd")),
  };

  ElementSpec source = E("source", "A system or feed to harvest records from.");
  source.repeated = true;
  source.key = "name";
  source.attributes = {
      Required(A("name", K::kString,
                 "Unique name: lower-case letters, digits, '-', '_' and '.'; used on the "
                 "command line, in logs and in provenance",
                 "", "cbd-contacts")),
      Required(Choice("kind", {"http", "file", "sql"},
                      "http: fetch a URL; file: read a local file; sql: run a query on a "
                      "database")),
      A("url", K::kUrl, "http: the first page's URL", "",
        "https://api.cbd.int/informea.svc/Contacts"),
      A("path", K::kPath, "file: the file to read, relative to this file's folder", "",
        "data/contacts.csv"),
      Required(A("mapping", K::kPath,
                 "The inbound mapping file; relative paths are looked up in this file's folder, "
                 "then in the installed mappings folder",
                 "", "mappings/informea-odata-v2/contacts.xml")),
      A("schedule", K::kString,
        "When `serve` harvests it: \"every DURATION\" (e.g. every 6h), a cron expression "
        "(\"0 3 * * *\"), or \"manual\"",
        "every 6h", "every 30m"),
      A("enabled", K::kBool, "false keeps the source configured but never harvested", "true"),
  };
  source.children = {param};

  ElementSpec root = E("meabridge", "The configuration file's root element.");
  root.children = {store, server, log, source, profile};
  return root;
}

}  // namespace

const AttrSpec* ElementSpec::Attr(const std::string& attr) const {
  for (const AttrSpec& a : attributes) {
    if (a.name == attr) return &a;
  }
  return nullptr;
}

const ElementSpec* ElementSpec::Child(const std::string& child) const {
  for (const ElementSpec& c : children) {
    if (c.name == child) return &c;
  }
  return nullptr;
}

const ElementSpec& ConfigSpec() {
  static const ElementSpec spec = Build();
  return spec;
}

const char* ValueKindName(ValueKind kind) {
  switch (kind) {
    case K::kString:
      return "text";
    case K::kInt:
      return "integer";
    case K::kBool:
      return "boolean";
    case K::kDuration:
      return "duration";
    case K::kSize:
      return "size";
    case K::kChoice:
      return "one of";
    case K::kPath:
      return "path";
    case K::kUrl:
      return "URL";
    case K::kShare:
      return "share";
  }
  return "?";
}

}  // namespace meabridge::config
