// One run of one source: the flow described in harvest.h.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>

#include "core/hash.h"
#include "core/log.h"
#include "core/strings.h"
#include "core/version.h"
#include "harvest/harvest.h"
#include "harvest/spool.h"
#include "harvest/state.h"

namespace meabridge::harvest {

// ---- claims ----

class LocalClaim final : public SourceClaim {
 public:
  LocalClaim(LocalClaims* owner, std::string source) : owner_(owner), source_(std::move(source)) {}
  ~LocalClaim() override { owner_->Release(source_); }

 private:
  LocalClaims* owner_;
  std::string source_;
};

Result<std::unique_ptr<SourceClaim>> LocalClaims::Claim(const std::string& source) {
  std::lock_guard lock(mu_);
  if (!held_.insert(source).second) {
    return Status::FailedPrecondition("source '" + source +
                                      "' is being harvested by another run right now");
  }
  return std::unique_ptr<SourceClaim>(std::make_unique<LocalClaim>(this, source));
}

void LocalClaims::Release(const std::string& source) {
  std::lock_guard lock(mu_);
  held_.erase(source);
}

LocalClaims& LocalClaims::Instance() {
  static LocalClaims claims;
  return claims;
}

namespace {

constexpr size_t kMaxWarnings = 50;

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000);
  return buf;
}

mapping::Reject MappingReject(const store::Reject& r) {
  mapping::Reject m;
  m.record_id = r.record_id;
  m.position = r.position;
  m.field = r.field;
  m.rule = r.rule;
  m.value = r.value;
  m.message = r.message;
  return m;
}

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", share * 100);
  return buf;
}

std::string Fingerprint(const config::SourceConfig& s) {
  std::ifstream in(s.mapping, std::ios::binary);
  std::stringstream ss;
  ss << kVersion << "\n" << s.mapping << "\n" << in.rdbuf();
  for (const auto& [k, v] : s.params) ss << "\n" << k << "=" << v;
  // Who the source shares with decides what it may store: a change re-reads everything
  // (nothing is added while it shares with nobody, so older fingerprints stay).
  std::vector<std::string> shared = s.share_with;
  std::sort(shared.begin(), shared.end());
  for (const std::string& other : shared) ss << "\nshare-with=" << other;
  return core::ContentHash(ss.str());
}

class RunState {
 public:
  RunState(const config::SourceConfig& cfg, store::Store& store, const HarvesterDeps& deps,
           const HarvestOptions& options, core::Clock& clock, Waiter& waiter)
      : cfg_(cfg), store_(store), deps_(deps), options_(options), clock_(clock), waiter_(waiter) {
    report_.run.source = cfg.name;
    Start();
  }

  RunReport Go();

 private:
  Status Execute();
  Status Apply(RunContext& ctx, Source& source, Spool& spool);
  RunReport Fail(const Status& status);
  // Why the run fails on its rejects (every record rejected, or more than max-reject-share),
  // or "".
  std::string RejectShareFailure(int64_t rejects, int64_t read) const;
  // The reject of a record another source owns (rule owned-by-other-source).
  store::Reject OwnedReject(const model::Record& r, const std::string& owner) const;
  // A reject as it is stored and shown: secrets hidden, hostile lengths cut (core::Cut).
  store::Reject Shown(store::Reject r) const;
  // Why `brought` records miss the source's expectation, or "".
  Result<std::string> ExpectationMiss(int64_t brought) const;
  void AddWarning(std::string w);
  // The run's start time: read again once the run holds its claim (Go), so that it never
  // precedes the end of a run another process or node finished while this one waited for the
  // lease (the runs of one source never overlap in the store).
  void Start();
  void Finish();

  const config::SourceConfig& cfg_;
  store::Store& store_;
  const HarvesterDeps& deps_;
  const HarvestOptions& options_;
  core::Clock& clock_;
  Waiter& waiter_;
  RunReport report_;
  core::EpochMs started_ = 0;
  int64_t mono_start_ = 0;
  Redactor redactor_;
  std::vector<std::string> warnings_;
  size_t dropped_warnings_ = 0;
  Result<const mapping::Mapping*> LoadMapping();
  std::shared_ptr<const mapping::Mapping> mapping_;
  mapping::Params params_;
  SourceState previous_;
  SourceState next_;
  std::vector<std::string> to_probe_delete_;  // probe: confirmed deletions
  int64_t live_before_ = 0;
};

void RunState::AddWarning(std::string w) {
  if (warnings_.size() >= kMaxWarnings) {
    ++dropped_warnings_;
    return;
  }
  warnings_.push_back(std::move(w));
}

void RunState::Start() {
  started_ = clock_.NowMs();
  mono_start_ = clock_.MonotonicMs();
  report_.run.started = started_;
}

void RunState::Finish() {
  report_.run.finished = clock_.NowMs();
  std::vector<std::string> out;
  for (const std::string& w : warnings_) {
    out.push_back(core::Cut(redactor_.Text(w), core::kMaxMessageBytes));
  }
  if (dropped_warnings_ > 0) {
    out.push_back("... and " + std::to_string(dropped_warnings_) + " more warnings");
  }
  report_.run.warnings = std::move(out);
  report_.run.error = core::Cut(redactor_.Text(report_.run.error), core::kMaxMessageBytes);
}

store::Reject RunState::Shown(store::Reject r) const {
  for (std::string* name : {&r.entity, &r.record_id, &r.position, &r.field, &r.rule}) {
    *name = core::Cut(*name, core::kMaxNameBytes);
  }
  r.value = core::Cut(redactor_.Text(r.value), core::kMaxValueBytes);
  r.message = core::Cut(redactor_.Text(r.message), core::kMaxMessageBytes);
  return r;
}

RunReport RunState::Fail(const Status& status) {
  report_.run.status = status.code() == Status::Code::kAborted ? "aborted" : "failed";
  report_.run.error = status.message();
  report_.run.counts.created = report_.run.counts.updated = report_.run.counts.unchanged = 0;
  report_.run.counts.deleted = 0;
  Finish();
  if (options_.dry_run) return report_;  // nothing is written, not even the failed run
  Result<int64_t> id = store_.RecordFailedRun(report_.run);
  if (id.ok()) {
    report_.run.id = *id;
  } else {
    report_.run.warnings.push_back("the failed run could not be recorded: " +
                                   id.status().message());
  }
  core::LogRun(report_.guard_tripped || report_.run.status == "aborted" ? core::LogLevel::kWarning
                                                                        : core::LogLevel::kError,
               cfg_.name, report_.run.id,
               "harvest " + report_.run.status + ": " + report_.run.error);
  return report_;
}

RunReport RunState::Go() {
  SourceClaims& claims = deps_.claims ? *deps_.claims : LocalClaims::Instance();
  Result<std::unique_ptr<SourceClaim>> claim = claims.Claim(cfg_.name);
  if (!claim.ok()) {
    report_.claimed = false;
    report_.run.status = "failed";
    report_.run.error = claim.status().message();
    report_.run.finished = clock_.NowMs();
    return report_;
  }
  Start();
  Status s;
  try {
    s = Execute();
  } catch (const std::exception& e) {
    s = Status::Internal("source '" + cfg_.name + "': internal error: " + e.what());
  } catch (...) {
    s = Status::Internal("source '" + cfg_.name + "': internal error");
  }
  if (!s.ok()) return Fail(s);
  return report_;
}

Status RunState::Execute() {
  MB_ASSIGN_OR_RETURN(std::string secret, ReadSecret(cfg_));
  // The secret, and the credentials written into the source's URL: hidden wherever they
  // appear (a server may echo one into a record).
  std::vector<std::string> secrets = UrlSecrets(cfg_.url);
  if (!secret.empty()) secrets.push_back(secret);
  redactor_ = Redactor(std::move(secrets));
  core::LogRun(core::LogLevel::kDebug, cfg_.name, 0,
               "harvest starts: " + cfg_.kind + " " +
                   (cfg_.kind == "http"   ? redactor_.Url(cfg_.url)
                    : cfg_.kind == "file" ? cfg_.path
                                          : cfg_.driver));

  const std::string fingerprint = Fingerprint(cfg_);
  {
    MB_ASSIGN_OR_RETURN(std::unique_ptr<store::ReadView> view, store_.Read());
    MB_ASSIGN_OR_RETURN(std::optional<std::string> wm, view->Watermark(cfg_.name));
    Result<SourceState> st = SourceState::FromWatermark(wm);
    if (st.ok()) {
      previous_ = std::move(*st);
      previous_.Reveal(cfg_.url);
    } else {
      AddWarning(st.status().message() + "; this run starts over with a full reconciliation");
    }
  }
  params_ = mapping::Params(cfg_.params.begin(), cfg_.params.end());
  // The same mapping as the last run: its decoder is known, and compiling it (and loading the
  // vocabularies) waits until a page needs decoding.
  std::string format, paging;
  if (previous_.fingerprint == fingerprint && !previous_.format.empty()) {
    format = previous_.format;
    paging = previous_.paging;
  } else {
    MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, LoadMapping());
    format = m->format();
    paging = m->paging();
  }
  const SourceRegistry& registry = deps_.sources ? *deps_.sources : SourceRegistry::Default();
  MB_ASSIGN_OR_RETURN(std::unique_ptr<Source> source, registry.Create(cfg_));
  MB_ASSIGN_OR_RETURN(std::unique_ptr<Spool> spool, Spool::Create(options_.stop));

  next_ = previous_;
  RunContext ctx(cfg_, params_, *spool, previous_, next_, redactor_, clock_, waiter_);
  ctx.mapping = [this] { return LoadMapping(); };
  ctx.format = format;
  ctx.paging = paging;
  ctx.fingerprint = fingerprint;
  ctx.secret = secret;
  ctx.stop = options_.stop;
  ctx.random01 = deps_.random01;
  ctx.progress = options_.progress;
  const bool incremental_source = cfg_.incremental != "none";
  ctx.reconcile = options_.full || !previous_.last_full ||
                  started_ - *previous_.last_full >= cfg_.full_every_ms;
  bool can_increment =
      cfg_.incremental == "cursor" ? !previous_.cursor.empty() : previous_.since.has_value();
  ctx.incremental = incremental_source && !ctx.reconcile && can_increment;
  ctx.full = !ctx.incremental;
  if (ctx.incremental && previous_.since) ctx.since = *previous_.since - cfg_.since_overlap_ms;
  ctx.needs_all_ids = cfg_.deletion == "snapshot" || cfg_.deletion == "probe";

  Status read = source->Read(ctx);
  report_.run.full = ctx.full;
  report_.run.counts.pages = ctx.pages;
  report_.run.counts.bytes = ctx.bytes;
  report_.run.counts.fetched = spool->records() + spool->rejects() + spool->deletions();
  report_.run.counts.rejected = spool->rejects();
  for (std::string& w : ctx.warnings) AddWarning(std::move(w));
  for (std::string& w : spool->ReplacementWarnings()) AddWarning(std::move(w));
  if (!read.ok()) return read;
  if (spool->duplicates() > 0) {
    AddWarning(std::to_string(spool->duplicates()) +
               " records repeated an id delivered earlier in the run: each later one is a "
               "reject (rule duplicate-id), the first is kept");
  }
  if (options_.stop.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");
  report_.not_modified = ctx.not_modified;
  return Apply(ctx, *source, *spool);
}

Result<const mapping::Mapping*> RunState::LoadMapping() {
  if (mapping_) return mapping_.get();
  const vocab::Vocabularies& vocabularies =
      deps_.vocabularies ? *deps_.vocabularies : vocab::Vocabularies::System();
  Result<std::shared_ptr<const mapping::Mapping>> m =
      mapping::Mapping::Load(cfg_.mapping, vocabularies);
  if (!m.ok()) {
    return Status::InvalidArgument("source '" + cfg_.name + "': the mapping " + cfg_.mapping +
                                   " cannot be used: " + m.status().message());
  }
  MB_RETURN_IF_ERROR((*m)->CheckParams(params_).WithContext("source '" + cfg_.name + "'"));
  mapping_ = *m;
  return mapping_.get();
}

Status RunState::Apply(RunContext& ctx, Source& source, Spool& spool) {
  const model::EntitySpec* entity_ptr = nullptr;
  if (!ctx.not_modified) {
    MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, LoadMapping());
    entity_ptr = &m->entity();
  }
  // Run-level checks, before anything is written: too many rejects (the run fails, its
  // rejects are recorded and nothing else), an expectation not met (warns or fails).
  std::string rejected_failure =
      ctx.not_modified ? std::string()
                       : RejectShareFailure(spool.rejects(), spool.records() + spool.rejects());
  bool rejects_only = !rejected_failure.empty();
  if (!rejects_only && !ctx.not_modified && ctx.full) {
    MB_ASSIGN_OR_RETURN(std::string miss, ExpectationMiss(spool.records() + ctx.undecoded_records));
    if (!miss.empty()) {
      if (cfg_.expect_action == "warn") {
        AddWarning(miss);
      } else {
        return Status::FailedPrecondition(
            miss +
            "; nothing was committed and the last good data stays. If the source "
            "really shrank, lower the expectation or set expect-action=\"warn\"");
      }
    }
  }
  const bool deletions = !rejects_only && ctx.full && !ctx.not_modified &&
                         (cfg_.deletion == "snapshot" || cfg_.deletion == "probe");
  if (deletions && !ctx.complete) {
    AddWarning("deletion=\"" + cfg_.deletion +
               "\": no deletions detected, because this harvest was not complete (see the "
               "warnings above)");
  }
  const double share = cfg_.max_deletion_share;
  auto guard_error = [&](int64_t would, int64_t live) {
    return "mass-deletion guard: this run would delete " + std::to_string(would) + " of the " +
           std::to_string(live) + " records of source '" + cfg_.name + "' (" +
           Percent(live > 0 ? static_cast<double>(would) / static_cast<double>(live) : 1.0) +
           ", more than max-deletion-share " + Percent(share) +
           "); nothing was committed and the last good data stays. If the source really lost "
           "them, run: meabridge harvest --force " +
           cfg_.name;
  };
  auto over_guard = [&](int64_t would, int64_t live) {
    return !options_.force && would > 0 &&
           static_cast<double>(would) > share * static_cast<double>(live);
  };

  // probe: the network part happens before the write transaction opens.
  if (deletions && ctx.complete && cfg_.deletion == "probe") {
    std::vector<std::string> live;
    {
      MB_ASSIGN_OR_RETURN(std::unique_ptr<store::RunWriter> peek,
                          store_.BeginRun(cfg_.name, started_, ctx.full));
      MB_ASSIGN_OR_RETURN(live, peek->LiveIds(*entity_ptr));
    }  // rolled back: nothing written
    int64_t probed = 0;
    for (const std::string& id : live) {
      if (spool.Seen(id)) continue;
      if (options_.stop.stop_requested()) return Status::Aborted("stopped while probing");
      ++probed;
      MB_ASSIGN_OR_RETURN(bool exists, source.Exists(ctx, id));
      if (!exists) to_probe_delete_.push_back(id);
      if (over_guard(static_cast<int64_t>(to_probe_delete_.size()),
                     static_cast<int64_t>(live.size()))) {
        report_.guard_tripped = true;
        return Status::Aborted(guard_error(static_cast<int64_t>(to_probe_delete_.size()),
                                           static_cast<int64_t>(live.size())) +
                               " (probing stopped after " + std::to_string(probed) + " records)");
      }
      if ((probed & 63) == 0) ctx.ReportProgress("probe");
    }
    report_.run.counts.pages = ctx.pages;
    report_.run.counts.bytes = ctx.bytes;
  }

  // The write phase. Records another source owns are refused by the store (rule
  // owned-by-other-source); when those rejects take the run over its reject limit, the
  // transaction is rolled back and written again with the rejects only.
  ctx.ReportProgress("write");
  std::unique_ptr<store::RunWriter> writer;
  std::vector<store::Reject> owned;  // records refused as another source's
  std::vector<std::string> owners;   // their owners, in the order first met
  store::RunCounts& counts = report_.run.counts;
  const int64_t spool_rejects = counts.rejected;
  int pass = 0;  // the observer (dry run) sees the first pass only
  auto write = [&]() -> Status {
    ++pass;
    counts.created = counts.updated = counts.unchanged = counts.deleted = 0;
    counts.rejected = spool_rejects;
    writer.reset();  // a first pass still open rolls back here
    MB_ASSIGN_OR_RETURN(writer, store_.BeginRun(cfg_.name, started_, ctx.full));
    writer->ShareWith(cfg_.share_with);
    std::vector<std::string> live;
    if (cfg_.deletion != "none" && !ctx.not_modified) {
      MB_ASSIGN_OR_RETURN(live, writer->LiveIds(*entity_ptr));
    }
    live_before_ = static_cast<int64_t>(live.size());
    int64_t written = 0;
    Spool::Handlers handlers;
    handlers.record = [&](const model::Record& r) -> Status {
      if (rejects_only) return Status::Ok();
      MB_ASSIGN_OR_RETURN(store::UpsertOutcome o, writer->Upsert(r));
      if (options_.observe) {
        MB_RETURN_IF_ERROR(o == store::UpsertOutcome::kOwnedByOther
                               ? options_.observe->OnReject(MappingReject(
                                     OwnedReject(r, writer->refused_owner())))
                               : options_.observe->OnRecord(r));
      }
      switch (o) {
        case store::UpsertOutcome::kCreated:
          ++counts.created;
          break;
        case store::UpsertOutcome::kUpdated:
          ++counts.updated;
          break;
        case store::UpsertOutcome::kUnchanged:
          ++counts.unchanged;
          break;
        case store::UpsertOutcome::kOwnedByOther:
          owned.push_back(OwnedReject(r, writer->refused_owner()));
          if (std::find(owners.begin(), owners.end(), writer->refused_owner()) == owners.end()) {
            owners.push_back(writer->refused_owner());
          }
          MB_RETURN_IF_ERROR(writer->AddReject(owned.back()));
          ++counts.rejected;
          break;
      }
      if ((++written & 4095) == 0) ctx.ReportProgress("write");
      return Status::Ok();
    };
    handlers.reject = [&](const store::Reject& r) -> Status {
      store::Reject copy = Shown(r);
      if (options_.observe && pass == 1) {
        MB_RETURN_IF_ERROR(options_.observe->OnReject(MappingReject(copy)));
      }
      return writer->AddReject(copy);
    };
    handlers.deleted = [&](const std::string& id) -> Status {
      if (cfg_.deletion != "flag" || rejects_only) return Status::Ok();
      MB_ASSIGN_OR_RETURN(bool gone, writer->Delete(*entity_ptr, id));
      if (gone) ++counts.deleted;
      return Status::Ok();
    };
    if (!ctx.not_modified) MB_RETURN_IF_ERROR(spool.Replay(*entity_ptr, handlers));
    if (rejects_only) {
      for (const store::Reject& r : owned) MB_RETURN_IF_ERROR(writer->AddReject(r));
      counts.rejected += static_cast<int64_t>(owned.size());
      return Status::Ok();
    }

    if (deletions && ctx.complete) {
      if (cfg_.deletion == "snapshot") {
        for (const std::string& id : live) {
          if (spool.Seen(id)) continue;
          MB_ASSIGN_OR_RETURN(bool gone, writer->Delete(*entity_ptr, id));
          if (gone) ++counts.deleted;
        }
      } else {
        for (const std::string& id : to_probe_delete_) {
          MB_ASSIGN_OR_RETURN(bool gone, writer->Delete(*entity_ptr, id));
          if (gone) ++counts.deleted;
        }
      }
    }
    return Status::Ok();
  };
  MB_RETURN_IF_ERROR(write());
  if (!owned.empty()) {
    AddWarning(std::to_string(owned.size()) + " records belong to another source ('" +
               core::Join(owners, "', '") + "') and were rejected (rule owned-by-other-source); if the sources share them on "
               "purpose, say so with share-with on source '" +
               cfg_.name + "'");
    if (!rejects_only) {
      rejected_failure = RejectShareFailure(counts.rejected, spool.records() + spool.rejects());
      if (!rejected_failure.empty()) {
        rejects_only = true;
        MB_RETURN_IF_ERROR(write());
      }
    }
  }
  if (over_guard(counts.deleted, live_before_)) {
    report_.guard_tripped = true;
    return Status::Aborted(guard_error(counts.deleted, live_before_));
  }
  if (options_.force && counts.deleted > 0 &&
      static_cast<double>(counts.deleted) > share * static_cast<double>(live_before_)) {
    AddWarning("mass-deletion guard overridden (--force): " + std::to_string(counts.deleted) +
               " of " + std::to_string(live_before_) + " records deleted");
  }
  if (options_.stop.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");

  if (rejects_only) {
    // Only the rejects and the run are committed: no records, no deletions, no new state.
    report_.run.status = "failed";
    report_.run.error = rejected_failure;
    Finish();
    if (options_.dry_run) return Status::Ok();  // the writer rolls back
    MB_RETURN_IF_ERROR(writer->Commit(report_.run));
    report_.run.id = writer->run_id();
    report_.run.finished = clock_.NowMs();
    core::LogRun(core::LogLevel::kError, cfg_.name, report_.run.id,
                 "harvest failed: " + report_.run.error);
    return Status::Ok();
  }

  // The state for the next run. A partial run (or an answer that gives no ground, a 404 taken
  // as empty) moves no watermark: neither since, nor the last full reconciliation, nor the
  // cursor.
  const core::EpochMs server_time = ctx.server_time.value_or(started_);
  if (ctx.complete && !ctx.hold_watermark) {
    next_.since = server_time;
    if (ctx.full && ctx.reconcile) next_.last_full = server_time;
    if (!previous_.last_full && ctx.full) next_.last_full = server_time;
  }
  next_.fingerprint = ctx.fingerprint;
  next_.format = ctx.format;
  next_.paging = ctx.paging;
  if (ctx.incremental && counts.created + counts.updated + counts.deleted > 0) {
    next_.pages.clear();  // the stored pages no longer describe the store's data
  }
  if (cfg_.incremental != "cursor") next_.cursor.clear();
  if (!ctx.complete) next_.cursor = previous_.cursor;
  if (std::string w = next_.Conceal(redactor_, cfg_.url); !w.empty()) AddWarning(w);
  MB_RETURN_IF_ERROR(writer->SetWatermark(next_.ToJson()));

  if (ctx.complete) {
    report_.run.status = "ok";
  } else {
    report_.run.status = "partial";
    report_.run.error =
        "the run did not see the whole source: " + core::Join(ctx.incomplete, "; ") +
        ". What it read is committed; no deletions were detected and the "
        "watermark did not move";
  }
  Finish();
  if (options_.dry_run) return Status::Ok();  // the writer rolls back
  MB_RETURN_IF_ERROR(writer->Commit(report_.run));
  report_.run.id = writer->run_id();
  report_.run.finished = clock_.NowMs();
  core::LogRun(ctx.complete ? core::LogLevel::kInfo : core::LogLevel::kWarning, cfg_.name,
               report_.run.id, Summarize(report_));
  return Status::Ok();
}

store::Reject RunState::OwnedReject(const model::Record& r, const std::string& owner) const {
  store::Reject rj;
  rj.entity = r.entity().set_name;
  rj.record_id = r.id();
  rj.field = "id";
  rj.rule = "owned-by-other-source";
  rj.value = r.id();
  rj.message = r.entity().set_name + " " + core::Quote(r.id()) + " belongs to source '" + owner +
               "' (it stored it, and it is live): this run of '" + cfg_.name +
               "' does not overwrite it. If both sources deliver it on purpose, declare it: "
               "share-with=\"" +
               owner + "\" on source '" + cfg_.name +
               "' (docs/configuration.md); otherwise one of them delivers it by mistake: fix "
               "that source or its mapping's id rule";
  return Shown(std::move(rj));
}

std::string RunState::RejectShareFailure(int64_t rejects, int64_t read) const {
  if (rejects == 0 || read == 0) return "";
  const double share = static_cast<double>(rejects) / static_cast<double>(read);
  std::string what;
  if (rejects == read) {
    what = "every record this run read was rejected (" + std::to_string(rejects) + " of " +
           std::to_string(read) + ")";
  } else if (share > cfg_.max_reject_share) {
    what = std::to_string(rejects) + " of the " + std::to_string(read) +
           " records this run read were rejected (" + Percent(share) +
           ", more than max-reject-share " + Percent(cfg_.max_reject_share) + ")";
  } else {
    return "";
  }
  return what +
         ": the run fails; its rejects are recorded, nothing else was committed and the "
         "last good data stays. The rejects say why (meabridge status, GET "
         "/admin/runs/RUN/rejects); a mapping that does not fit the source's shape "
         "rejects everything";
}

Result<std::string> RunState::ExpectationMiss(int64_t brought) const {
  if (cfg_.expect_min_records > 0 && brought < cfg_.expect_min_records) {
    return "expectation not met: this full run brought " + std::to_string(brought) +
           " records, fewer than expect-min-records " + std::to_string(cfg_.expect_min_records);
  }
  if (cfg_.expect_min_share <= 0) return std::string();
  MB_ASSIGN_OR_RETURN(std::unique_ptr<store::ReadView> view, store_.Read());
  MB_ASSIGN_OR_RETURN(std::vector<store::RunRecord> runs, view->Runs(cfg_.name, 100));
  for (const store::RunRecord& r : runs) {
    if (r.status != "ok" || !r.full) continue;
    const int64_t last = r.counts.created + r.counts.updated + r.counts.unchanged;
    if (last == 0) continue;  // not modified: nothing counted
    if (static_cast<double>(brought) < cfg_.expect_min_share * static_cast<double>(last)) {
      return "expectation not met: this full run brought " + std::to_string(brought) +
             " records, fewer than expect-min-share " + Percent(cfg_.expect_min_share) +
             " of the " + std::to_string(last) + " of the last good full run (run " +
             std::to_string(r.id) + ")";
    }
    break;
  }
  return std::string();
}

}  // namespace

Result<std::string> ReadSecret(const config::SourceConfig& s) {
  if (!s.secret_file.empty()) {
    std::ifstream in(s.secret_file, std::ios::binary);
    if (!in) {
      return Status::IoError("source '" + s.name + "': cannot read the secret file " +
                             s.secret_file + " (it must be readable by meabridge)");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string v(core::Trim(ss.str()));
    if (v.empty()) {
      return Status::InvalidArgument("source '" + s.name + "': the secret file " + s.secret_file +
                                     " is empty");
    }
    return v;
  }
  if (!s.secret_env.empty()) {
    const char* v = std::getenv(s.secret_env.c_str());
    if (!v || !*v) {
      return Status::InvalidArgument("source '" + s.name + "': the environment variable " +
                                     s.secret_env + " (secret-env) is not set");
    }
    return std::string(core::Trim(v));
  }
  return std::string();
}

Harvester::Harvester(std::shared_ptr<const config::Config> config, store::Store& store,
                     HarvesterDeps deps)
    : config_(std::move(config)), store_(store), deps_(std::move(deps)) {}

RunReport Harvester::Run(const config::SourceConfig& source, const HarvestOptions& options) const {
  core::Clock& clock = deps_.clock ? *deps_.clock : core::SystemClock::Instance();
  Waiter& waiter = deps_.waiter ? *deps_.waiter : SystemWaiter::Instance();
  try {
    RunState state(source, store_, deps_, options, clock, waiter);
    return state.Go();
  } catch (const std::exception& e) {
    RunReport r;
    r.run.source = source.name;
    r.run.status = "failed";
    r.run.error = std::string("internal error: ") + e.what();
    return r;
  }
}

std::string Summarize(const RunReport& r) {
  const store::RunCounts& c = r.run.counts;
  std::string s = r.run.status;
  if (r.not_modified) s += " (not modified)";
  s += ": fetched " + std::to_string(c.fetched) + ", created " + std::to_string(c.created) +
       ", updated " + std::to_string(c.updated) + ", unchanged " + std::to_string(c.unchanged) +
       ", deleted " + std::to_string(c.deleted) + ", rejected " + std::to_string(c.rejected) +
       ", pages " + std::to_string(c.pages) + ", " + std::to_string(c.bytes) + " bytes";
  if (r.run.finished >= r.run.started && r.run.started > 0) {
    s += ", " + Seconds(r.run.finished - r.run.started);
  }
  if (r.run.full) s += ", full";
  return s;
}

}  // namespace meabridge::harvest
