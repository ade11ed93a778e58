// Source kinds: how the records of one kind of source (http, file, sql, vocabulary) are read during a run,
// and the one registry that names them (STYLE.md: plugins register explicitly; no static
// self-registration). Each family exposes Register*(SourceRegistry&); sources/register.cc
// calls them all, and tests may register fakes of their own into a registry they build.
//
// A Source reads everything the run asks for through the mapping into the run's spool, and
// says on the RunContext what it learned (pages, bytes, server time, warnings, the state for
// the next run). It never writes to the store: run.cc does that, after the source is done.
//
// Threads: a Source object serves one run on one thread. A SourceRegistry is filled once at
// start-up and read-only afterwards (thread-safe to read).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "harvest/fetch/redact.h"
#include "harvest/fetch/retry.h"
#include "harvest/spool.h"
#include "harvest/state.h"
#include "mapping/mapping.h"

namespace meabridge::harvest {

// Progress of a run, for a progress line (cmd_harvest) or the daemon's status.
struct Progress {
  std::string source;
  std::string phase;  // "fetch", "decode", "probe", "write"
  int64_t pages = 0;
  int64_t records = 0;  // records and rejects so far
  int64_t bytes = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

// Everything a Source may use and report during one run.
struct RunContext {
  RunContext(const config::SourceConfig& source_, const mapping::Params& params_, Spool& spool_,
             const SourceState& previous_, SourceState& next_, const Redactor& redactor_,
             core::Clock& clock_, Waiter& waiter_)
      : source(source_),
        params(params_),
        spool(spool_),
        previous(previous_),
        next(next_),
        redactor(redactor_),
        clock(clock_),
        waiter(waiter_) {}

  const config::SourceConfig& source;
  // The mapping, compiled on first use (a run whose pages are all unchanged never needs it,
  // nor the vocabularies it loads). Errors say which mapping file is wrong and why.
  std::function<Result<const mapping::Mapping*>()> mapping;
  std::string format;  // the mapping's decoder ("json", "xml", "csv"), known without compiling
  // The paging the mapping declares (Mapping::paging(), "" for none), known the same way: what
  // paging="auto" follows (harvest/paging/paging.h).
  std::string paging;
  const mapping::Params& params;
  Spool& spool;
  const SourceState& previous;  // committed by the last successful run
  SourceState& next;            // what this run leaves (the source fills pages and cursor)
  std::string fingerprint;      // of the mapping, parameters and version (state.h)
  std::string secret;           // "" when the source has none
  const Redactor& redactor;
  core::Clock& clock;
  Waiter& waiter;
  std::stop_token stop;
  std::function<double()> random01;  // retry jitter (nullptr: random)
  ProgressFn progress;

  // The run's mode, set by run.cc before Read; a source may turn an incremental run into a
  // full one (an expired cursor) and must say so here.
  bool full = true;                    // the whole source is read (deletions may be detected)
  bool incremental = false;            // only changes are asked for
  std::optional<core::EpochMs> since;  // incremental: ask for changes after this
  bool needs_all_ids = false;          // the deletion policy needs every id of a full run
  // A full reconciliation (--full, or full-every elapsed): no validators and no unchanged-page
  // shortcuts; everything is decoded.
  bool reconcile = false;

  // What the source reports.
  int64_t pages = 0;
  int64_t bytes = 0;
  std::optional<core::EpochMs> server_time;  // Date of the first response
  // false when the run did not see the whole source (a guard ended paging, paging ended
  // without being sure it reached the end): the run is then "partial". Set by Incomplete().
  bool complete = true;
  std::vector<std::string> incomplete;  // why, one reason each (also among the warnings)
  // The answer gives no ground to advance the watermark (a 404 taken as an empty collection).
  bool hold_watermark = false;
  bool not_modified = false;  // nothing changed since the last run: nothing was decoded
  // Records on pages that were unchanged and therefore not decoded (not in the spool).
  int64_t undecoded_records = 0;
  std::vector<std::string> warnings;

  void Warn(std::string warning);
  // The run did not see the whole source, because of `why` (a warning too).
  void Incomplete(std::string why);
  void ReportProgress(const std::string& phase);
};

class Source {
 public:
  virtual ~Source() = default;

  // Reads the source into ctx.spool. Errors name the source's URL (redacted) or path, the page
  // or row, and what to do.
  virtual Status Read(RunContext& ctx) = 0;

  // deletion="probe": whether the record `id` still exists at the source (false only when the
  // source answers that the entity is gone). Unimplemented for kinds that cannot probe.
  virtual Result<bool> Exists(RunContext& ctx, const std::string& id);
};

using SourceFactory =
    std::function<Result<std::unique_ptr<Source>>(const config::SourceConfig& source)>;

class SourceRegistry {
 public:
  // REQUIRES: `kind` not registered yet.
  void Add(const std::string& kind, SourceFactory factory);
  Result<std::unique_ptr<Source>> Create(const config::SourceConfig& source) const;
  std::vector<std::string> Kinds() const;

  // The registry with every built-in kind (sources/register.cc).
  static const SourceRegistry& Default();

 private:
  std::map<std::string, SourceFactory> factories_;
};

void RegisterHttpSource(SourceRegistry& registry);
void RegisterFileSource(SourceRegistry& registry);
void RegisterSqlSource(SourceRegistry& registry);
void RegisterVocabularySource(SourceRegistry& registry);
// Calls every Register*Source above.
void RegisterBuiltinSources(SourceRegistry& registry);

// A sql source's <child> queries against its mapping's child paths (NAME/*): every child the
// mapping reads is declared, every declared child is read, and children come with the
// source's key. InvalidArgument naming the source, the mapping and the child. The sql source
// checks it before reading; check-config too.
Status CheckSqlChildren(const config::SourceConfig& source, const mapping::Mapping& mapping);

// The column names of a sql source's queries, read without reading rows: each query is run as
// SELECT * FROM (QUERY) AS q LIMIT 0 ({since} bound to the epoch). The main query first
// (label "the main query"), then each child ("child 'NAME'"). IoError naming the query when
// the database cannot be reached or a query fails.
struct QueryColumns {
  std::string label;
  std::vector<std::string> columns;
};
Result<std::vector<QueryColumns>> DescribeSqlQueries(const config::SourceConfig& source,
                                                     const std::string& secret);
// check-config's column check of a sql source (docs/harvesting.md#child-rows): the key columns
// in their queries, and every column the mapping names in one of the queries. One line each.
std::vector<std::string> SqlColumnProblems(const config::SourceConfig& source,
                                           const mapping::Mapping& mapping,
                                           const std::vector<QueryColumns>& described);

// How {since} is written for a source (config since-format): iso, odata-v2, epoch-ms, date.
std::string FormatSince(core::EpochMs since, const std::string& format);

}  // namespace meabridge::harvest
