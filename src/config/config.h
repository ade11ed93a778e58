// The running configuration: one immutable object, parsed whole into staging and only then
// handed out (after Kea's CfgMgr). A reload parses a new one and swaps the shared_ptr; a
// configuration with errors is never returned, so the running one stays.
//
// The file is XML (or the equivalent JSON, see codec/doc_tree.h). docs/configuration.md
// documents every key; config/spec.cc declares them.
//
// Config is immutable: thread-safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codec/doc_tree.h"
#include "config/schedule.h"
#include "core/log.h"

namespace meabridge::config {

struct ConfigError {
  codec::DocPosition position;
  std::string message;  // what is wrong
  std::string hint;     // what to write instead ("" when the message says it)

  // "file:line:col: message; write instead: hint"
  std::string ToString() const;
};

// An extra request header of an http source (<header name="..." value="..."/>). Values are
// never printed (check-config shows the names only): one may carry a key.
struct HeaderConfig {
  std::string name;
  std::string value;
};

// A child query of a sql source (<child name query key>): rows belonging to the main query's
// records, joined on the source's key (docs/harvesting.md#child-rows).
struct ChildQueryConfig {
  std::string name;   // what the mapping's paths call these rows (NAME/*)
  std::string query;  // ordered by `key`
  std::string key;    // the column holding the parent's key
  codec::DocPosition position;
};

struct SourceConfig {
  std::string name;
  std::string kind;  // http, file, sql, vocabulary
  std::string url;
  std::string path;     // resolved: absolute or relative to the working directory
  std::string mapping;  // resolved path of the mapping file
  std::map<std::string, std::string> params;
  std::string schedule;   // as written (default "every 6h")
  Schedule when;          // parsed
  int64_t jitter_ms = 0;  // resolved: the configured jitter or the schedule's default
  bool enabled = true;
  codec::DocPosition position;

  // ---- harvesting (docs/harvesting.md says what each does) ----
  // Paging: auto, next-link, link-header, skip, page, offset, none.
  std::string paging = "auto";
  int page_size = 1000;
  std::string page_param;  // "" = the style's default (page: "page", offset: "offset")
  std::string size_param;  // "" = the style's default (page: "pageSize", offset: "limit")
  int first_page = 1;
  int max_pages = 10000;
  // Deletions: none, snapshot, probe, flag; the mass-deletion guard's share.
  std::string deletion = "none";
  double max_deletion_share = 0.2;
  std::string probe_url;  // probe: the entity URL, "{id}" replaced by the record id
  // What a 404/410 on the collection URL means: "fail" the run, or an "empty" collection.
  std::string not_found = "fail";
  // Document- and run-level checks (docs/harvesting.md#the-run-report): a run rejecting more
  // than this share of what it read fails; an expectation (a minimum record count, a minimum
  // share of the last good full run's) not met warns or fails ("warn", "fail").
  double max_reject_share = 1.0;
  int64_t expect_min_records = 0;
  double expect_min_share = 0.0;
  std::string expect_action = "fail";
  // Ownership (docs/harvesting.md#ownership): the other sources whose records this one may
  // overwrite, and they its; symmetric once loaded (a source named by another's share-with
  // lists that one too).
  std::vector<std::string> share_with;
  // Incremental sync: none, filter, param, cursor.
  std::string incremental = "none";
  std::string since_filter = "updated gt {since}";
  std::string since_param = "since";
  std::string since_format = "iso";  // iso, odata-v2, epoch-ms, date
  int64_t since_overlap_ms = 60000;
  int64_t full_every_ms = 86400000;  // a full reconciliation when the last is older
  bool conditional = true;           // ETag / Last-Modified, and unchanged-page detection
  // Authentication: none, bearer, basic, header. The secret itself is never held here: it is
  // read when a run starts, from secret_file or the environment variable secret_env.
  std::string auth = "none";
  std::string auth_user;
  std::string auth_header;
  std::string secret_file;  // resolved path
  std::string secret_env;
  std::vector<HeaderConfig> headers;
  // Limits.
  int64_t connect_timeout_ms = 10000;
  int64_t timeout_ms = 120000;
  int64_t max_size = int64_t{256} << 20;  // decoded bytes per response
  int max_redirects = 5;
  bool tls_verify = true;
  int retries = 4;
  int64_t retry_delay_ms = 1000;
  int64_t retry_max_delay_ms = 60000;
  // sql sources: driver (sqlite, postgresql, mysql), connection ("{secret}" stands for the
  // secret), the query ("{since}" is bound to the watermark with incremental="param").
  std::string driver;
  std::string connection;
  std::string query;
  // The main query's key column (with children), the child queries, and the language of
  // texts marked und/zxx ("" = such a text is a reject).
  std::string key;
  std::vector<ChildQueryConfig> children;
  std::string default_language;
  std::string time_zone;  // "" = UTC; checked by core::TimeZone::Parse at load
  // vocabulary sources: the vocabulary whose terms are the document (treaties ...).
  std::string vocabulary;
};

// A partner profile (<profile>): feeds at /feeds/NAME/ENTITY through an outbound mapping.
struct ProfileConfig {
  std::string name;
  std::string mapping;  // resolved path of the mapping file
  codec::DocPosition position;
};

struct Config {
  std::string file;      // the configuration file ("" for the embedded default)
  std::string base_dir;  // relative paths in the file resolve against it

  std::string store_location;  // resolved "sqlite:/abs/path" or a postgresql:// URL
  std::string server_bind = "127.0.0.1";
  int server_port = 8080;
  // The publisher (<server>, docs/configuration.md; docs/publishing.md says what they do).
  std::string server_public_url;  // "" = from each request's Host header
  int server_threads = 128;
  int server_queue = 512;
  int server_max_connections = 10000;
  int server_max_connections_per_client = 256;
  int64_t server_keep_alive_timeout_ms = 15000;
  int64_t server_header_timeout_ms = 10000;
  int64_t server_request_timeout_ms = 30000;
  int64_t server_max_url_length = 8192;
  int64_t server_max_header_size = 16384;
  int server_page_size = 100;
  int server_max_top = 1000;
  int server_max_expand_depth = 2;
  int64_t server_cache_bytes = 64 << 20;
  bool server_access_log = true;
  std::string server_link_secret_file;  // resolved path; "" = the built-in key
  // The status page shows runs' rejects to anyone (true), or only after signing in with the
  // admin token (false; docs/operations.md#rejects-in-the-browser).
  bool server_publish_rejects = false;
  std::vector<ProfileConfig> profiles;
  core::LogLevel log_level = core::LogLevel::kInfo;
  // <admin token-file>: resolved path; "" = the admin API is off.
  std::string admin_token_file;
  // <scheduler> (docs/daemon.md).
  int scheduler_max_concurrent_runs = 4;
  int64_t scheduler_run_timeout_ms = 3600000;
  int64_t scheduler_stop_timeout_ms = 20000;
  int64_t scheduler_lease_ttl_ms = 30000;
  std::vector<SourceConfig> sources;

  const SourceConfig* FindSource(const std::string& name) const;
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // nullptr when there are errors
  std::vector<ConfigError> errors;       // every error found, in file order
};

// Reads, validates and builds the configuration in `path`.
LoadResult LoadConfigFile(const std::string& path);
// The same from text (`file_name` for messages; relative paths resolve against `base_dir`).
LoadResult LoadConfigText(std::string_view text, const std::string& file_name,
                          const std::string& base_dir, bool json = false);

// The embedded default: the store ./meabridge.db in the working directory, the bundled demo
// sources, localhost:8080. What `meabridge serve` runs without --config.
LoadResult LoadDefaultConfig();
// Its text (config/default.xml, compiled in), for `check-config --print-default`.
std::string_view DefaultConfigText();

// Where the installed (or, in a build tree, the source tree's) mappings/ and config/ live:
// $MEABRIDGE_DATADIR, else the install prefix's share/meabridge, else the source tree.
std::string DataDir();

}  // namespace meabridge::config
