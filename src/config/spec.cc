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
          "Worker threads: each answers one request at a time. Idle keep-alive connections and "
          "requests still arriving hold none (one thread waits on them all)",
          "128"),
      Int("queue", 1, 65536,
          "Requests received whole and waiting for a free worker thread; a connection whose "
          "request would go past it is answered 503 with Retry-After and closed",
          "512"),
      Int("max-connections", 16, 1000000,
          "Open connections at most, all clients together (kept under the process's file "
          "limit, LimitNOFILE); a connection over it is answered 503 and closed",
          "10000"),
      Int("max-connections-per-client", 1, 1000000,
          "Open connections at most from one client address (behind a proxy every request "
          "comes from the proxy: raise it there); over it, 503 and closed",
          "256"),
      A("keep-alive-timeout", K::kDuration, "How long an idle keep-alive connection stays open",
        "15s", "5s"),
      A("header-timeout", K::kDuration,
        "How long a request (its head and body) may take to arrive, from its first byte; a "
        "slower one is closed",
        "10s", "5s"),
      A("request-timeout", K::kDuration,
        "How long writing a response may stall before the connection is closed", "30s", "10s"),
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
      A("publish-rejects", K::kBool,
        "true shows every run's rejects (record ids, values, messages) on the status page "
        "(/status/rejects) without signing in; false shows them only to a browser signed in "
        "with the admin token (<admin token-file>)",
        "false"),
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
  profile.attributes = {
      Required(A("name", K::kString,
                 "Profile name in the URL: lower-case letters, digits, '-', '_' and '.'", "",
                 "national-reporting")),
      Required(A("mapping", K::kPath,
                 "The outbound mapping file; looked up like a source's mapping", "",
                 "mappings/profiles/national-reporting-contacts.json")),
  };

  ElementSpec log = E("log", "Logging (to stderr; the journal under systemd).");
  log.attributes = {
      Choice("level", {"error", "warning", "notice", "info", "debug"}, "Most verbose level written",
             "info"),
  };

  ElementSpec admin = E("admin",
                        "The admin API under /admin/ (docs/operations.md): off unless a token "
                        "file is given.");
  admin.attributes = {
      A("token-file", K::kPath,
        "A file holding the bearer token admin requests must send (Authorization: Bearer "
        "TOKEN); surrounding whitespace is ignored. Absent: /admin/ answers 404",
        "", "/etc/meabridge/admin-token"),
  };

  ElementSpec scheduler = E("scheduler",
                            "How `serve` runs harvests (docs/daemon.md): concurrency, timeouts "
                            "and the leases that keep nodes sharing a store from running one "
                            "source twice.");
  scheduler.attributes = {
      Int("max-concurrent-runs", 1, 256,
          "Harvest runs in progress at once across sources (one source never runs twice at "
          "once); the others wait their turn",
          "4"),
      A("run-timeout", K::kDuration,
        "A run still going after this long is stopped: it commits nothing and is recorded as "
        "aborted",
        "1h", "30m"),
      A("stop-timeout", K::kDuration,
        "On SIGTERM, how long running harvests and requests in flight get to finish before "
        "meabridge exits anyway (nothing partial is committed); also how long a stopped run may "
        "ignore its stop before the watchdog logs it as stuck",
        "20s", "10s"),
      A("lease-ttl", K::kDuration,
        "A source's lease (docs/store.md) lasts this long unless renewed; a run renews it every "
        "third of it and stops when a renewal fails. A node that dies frees its sources at once "
        "(SQLite) or within this time (PostgreSQL)",
        "30s", "1m"),
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
      Required(Choice("kind", {"http", "file", "sql", "vocabulary"},
                      "http: fetch a URL; file: read a local file; sql: run a query on a "
                      "database; vocabulary: the terms of one of meabridge's vocabularies, as "
                      "/vocab/NAME publishes them")),
      A("url", K::kUrl, "http: the first page's URL", "",
        "https://api.cbd.int/informea.svc/Contacts"),
      A("path", K::kPath, "file: the file to read, relative to this file's folder", "",
        "data/contacts.csv"),
      A("vocabulary", K::kString,
        "vocabulary: the vocabulary whose terms are read (the JSON document of /vocab/NAME); "
        "the embedded default fills Treaties from treaties this way",
        "", "treaties"),
      Required(A("mapping", K::kPath,
                 "The inbound mapping file; relative paths are looked up in this file's folder, "
                 "then in the installed mappings folder",
                 "", "mappings/informea-odata-v2/contacts.xml")),
      A("schedule", K::kString,
        "When `serve` harvests it: \"every DURATION\" (slots at multiples of it since the epoch, "
        "UTC), a 5-field cron expression in UTC (\"0 3 * * *\", \"*/15 * * * mon-fri\", "
        "@daily), or \"manual\" (docs/daemon.md)",
        "every 6h", "every 30m"),
      A("jitter", K::kDuration,
        "How far after its slot the source may start: each source gets a fixed offset within "
        "this window (from its name: the same on every node), so sources sharing a schedule do "
        "not all start at once. Default: a tenth of an \"every\" interval (at most 5m), 0 for "
        "cron; must be shorter than the interval",
        "", "10m"),
      A("enabled", K::kBool, "false keeps the source configured but never harvested", "true"),
      // Harvesting (docs/harvesting.md).
      Choice("paging", {"auto", "next-link", "link-header", "skip", "page", "offset", "none"},
             "How pages follow each other: auto follows the paging the mapping declares "
             "(<paging>), else next links in the body (OData V2 __next, "
             "V4 @odata.nextLink, Atom rel=next) and Link headers; skip pages with $top/$skip; "
             "page and offset add page-number or offset parameters; none reads one document",
             "auto"),
      Int("page-size", 1, 100000, "Records per page asked for by skip, page and offset paging",
          "1000"),
      A("page-param", K::kString,
        "page/offset paging: the page-number or offset parameter (default page, offset)", "", "p"),
      A("size-param", K::kString,
        "page/offset paging: the page-size parameter (default pageSize, limit)", "", "per_page"),
      Int("first-page", 0, 1, "page paging: the number of the first page", "1"),
      Int("max-pages", 1, 1000000, "Page cap: paging stops there, with a warning", "10000"),
      Choice("deletion", {"none", "snapshot", "probe", "flag"},
             "How deletions are detected: snapshot (absent from a complete full harvest), probe "
             "(absent ids fetched one by one; a 404 deletes), flag (the mapping marks them), none",
             "none"),
      A("max-deletion-share", K::kShare,
        "Mass-deletion guard: a run that would delete more than this share of the source's "
        "records commits nothing (harvest --force overrides)",
        "20%", "10%"),
      Choice("not-found", {"fail", "empty"},
             "What a 404 or 410 on the collection URL (the first page) means: fail the run "
             "(the last good data stays), or an empty collection (the deletion policy and its "
             "mass-deletion guard then apply; the watermark does not move)",
             "fail"),
      A("max-reject-share", K::kShare,
        "A run that rejects more than this share of the records it reads fails: its rejects "
        "are recorded, its records are not committed. A run that rejects every record it "
        "reads always fails",
        "100%", "10%"),
      Int("expect-min-records", 0, 1000000000,
          "Expectation: a full run that brings fewer records (stored or unchanged) than this "
          "warns or fails, as expect-action says; 0 expects nothing",
          "0"),
      A("expect-min-share", K::kShare,
        "Expectation: a full run that brings fewer records than this share of the last good "
        "full run's warns or fails, as expect-action says; 0% expects nothing",
        "0%", "50%"),
      A("share-with", K::kString,
        "Other sources (names, separated by spaces) that deliver records of this entity with "
        "the same ids on purpose: each of them may overwrite the other's records. Without it, "
        "a record whose id another source's live record has is rejected (rule "
        "owned-by-other-source, naming that source). Sharing goes both ways (declaring it on "
        "one of the two is enough); a name no longer configured (a renamed source) hands its "
        "records over",
        "", "cites-parties-legacy"),
      Choice("expect-action", {"warn", "fail"},
             "What an expectation not met does: warn (the run commits, with a warning) or fail "
             "(nothing is committed and the last good data stays)",
             "fail"),
      A("probe-url", K::kString,
        "deletion=\"probe\": the entity URL, {id} standing for the record id (default: the url "
        "without its query, then ('{id}'))",
        "", "https://api.cbd.int/informea.svc/Contacts('{id}')"),
      Choice("incremental", {"none", "filter", "param", "cursor"},
             "Incremental sync: filter adds $filter=since-filter, param adds since-param=SINCE, "
             "cursor starts from the delta link the last run received; none reads everything",
             "none"),
      A("since-filter", K::kString,
        "incremental=\"filter\": the OData filter, {since} standing for the watermark",
        "updated gt {since}", "modified ge {since}"),
      A("since-param", K::kString, "incremental=\"param\": the query parameter's name", "since",
        "modified_since"),
      Choice("since-format", {"iso", "odata-v2", "epoch-ms", "date"},
             "How {since} is written: iso 2024-05-01T10:00:00Z, odata-v2 "
             "datetime'2024-05-01T10:00:00', epoch-ms 1714557600000, date 2024-05-01",
             "iso"),
      A("since-overlap", K::kDuration,
        "Incremental runs ask from this long before the watermark (clock skew between the "
        "server's Date and its records)",
        "1m", "10m"),
      A("full-every", K::kDuration,
        "An incremental source gets a full reconciliation when its last one is older than this",
        "1d", "7d"),
      A("conditional", K::kBool,
        "Conditional GET: pages asked for with the validators (ETag, Last-Modified) of the "
        "last complete harvest",
        "true"),
      Choice("auth", {"none", "bearer", "basic", "header"},
             "Authentication: bearer (Authorization: Bearer SECRET), basic (auth-user and "
             "SECRET), header (auth-header: SECRET)",
             "none"),
      A("auth-user", K::kString, "auth=\"basic\": the user name", "", "harvester"),
      A("auth-header", K::kString, "auth=\"header\": the header that carries the secret", "",
        "X-API-Key"),
      A("secret-file", K::kPath,
        "A file holding the secret (token, password or key; surrounding whitespace ignored), "
        "read at each run and never logged",
        "", "/etc/meabridge/cbd-token"),
      A("secret-env", K::kString, "An environment variable holding the secret instead", "",
        "MEABRIDGE_CBD_TOKEN"),
      A("connect-timeout", K::kDuration, "Longest wait for a connection", "10s", "5s"),
      A("timeout", K::kDuration, "Longest time one request (one page) may take", "2m", "30s"),
      A("max-size", K::kSize, "Largest response accepted, counted after decompression", "256MB",
        "50MB"),
      Int("max-redirects", 0, 50, "Redirects followed per request (http and https only)", "5"),
      A("tls-verify", K::kBool,
        "Verify the server's TLS certificate and name; false only for a test server", "true"),
      Int("retries", 0, 20,
          "Retries of a request after 429, 5xx or a connection error (exponential backoff "
          "with jitter, honouring Retry-After)",
          "4"),
      A("retry-delay", K::kDuration, "The first retry's delay; each next one doubles it", "1s",
        "2s"),
      A("retry-max-delay", K::kDuration,
        "Longest delay between retries; a Retry-After beyond it fails the run", "1m", "5m"),
      Choice("driver", {"sqlite", "postgresql", "mysql"}, "sql: the database kind"),
      A("connection", K::kString,
        "sql: the connection (SQLite: a file path; PostgreSQL: \"host=... dbname=...\"; "
        "MySQL: \"host=...;db=...\"); {secret} stands for the secret",
        "", "host=127.0.0.1 dbname=nfp user=reader password={secret}"),
      A("query", K::kString,
        "sql: the query; its columns are mapped like CSV columns; {since} is bound to the "
        "watermark with incremental=\"param\"",
        "", "SELECT * FROM focal_points"),
      A("key", K::kString,
        "sql with <child> queries: the main query's column holding each record's key, which the "
        "children's key columns refer to; the main query is ordered by it",
        "", "id"),
      A("default-language", K::kString,
        "sql: the language of texts whose language is und (not specified, Drupal) or zxx (no "
        "linguistic content); without it such a text is a reject (rule undetermined-language)",
        "", "en"),
      A("time-zone", K::kString,
        "sql: the zone of date-times the database writes without an offset (MySQL DATETIME): an "
        "IANA name of the system's tz database or a fixed offset; without it they are UTC",
        "", "Europe/Paris"),
  };
  ElementSpec child = E("child",
                        "A child query of a sql source: rows that belong to the main query's "
                        "records (one per language, one per list item), joined on the key.");
  child.repeated = true;
  child.key = "name";
  child.attributes = {
      Required(A("name", K::kString,
                 "The name the mapping's paths use for these rows (NAME/* and NAME/*/COLUMN)", "",
                 "title")),
      Required(A("query", K::kString,
                 "The query; ordered by its key column the way the main query is ordered by the "
                 "source's key",
                 "",
                 "SELECT decision_id, language, title FROM informea_decisions_title ORDER BY "
                 "decision_id")),
      Required(A("key", K::kString,
                 "The column holding the key of the main query's record each row belongs to", "",
                 "decision_id")),
  };
  ElementSpec header = E("header", "An extra HTTP request header of an http source.");
  header.repeated = true;
  header.key = "name";
  header.attributes = {
      Required(A("name", K::kString, "Header name", "", "Accept-Language")),
      Required(A("value", K::kString, "Header value (never printed by check-config)", "", "en")),
  };
  source.children = {param, header, child};

  ElementSpec root = E("meabridge", "The configuration file's root element.");
  root.children = {store, server, log, admin, scheduler, source, profile};
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
