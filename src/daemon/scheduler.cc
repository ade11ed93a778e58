#include "daemon/scheduler.h"

#include <algorithm>

namespace meabridge::daemon {

Scheduler::Scheduler(core::Clock& clock) : clock_(clock) {}

void Scheduler::StartOver(SourceSlot& s, core::EpochMs now) const {
  s.offset_ms = config::JitterOffsetMs(s.entry.name, s.entry.jitter_ms);
  s.fire_at.reset();
  if (!s.entry.enabled || s.entry.schedule.manual()) return;
  if (!s.entry.last_started) {
    s.slot = 0;  // never harvested: due now, and any run (another node's too) counts
    s.fire_at = now;
    return;
  }
  std::optional<core::EpochMs> next = s.entry.schedule.NextAfter(*s.entry.last_started);
  if (!next) return;
  s.slot = *next;
  s.fire_at = std::max(now, *next + s.offset_ms);  // a slot passed since the last run: now
}

core::EpochMs Scheduler::NextSlotAfterRun(const SourceSlot& s, core::EpochMs slot,
                                          core::EpochMs now) const {
  const config::Schedule& sch = s.entry.schedule;
  // The latest slot whose fire time has passed, when it is later than the one just run:
  // the slots missed meanwhile, coalesced into one.
  std::optional<core::EpochMs> n = sch.NextAfter(slot);
  if (!n) return slot;
  if (sch.kind() == config::Schedule::Kind::kEvery) {
    core::EpochMs latest = sch.NextAfter(now - s.offset_ms - sch.every_ms()).value_or(*n);
    return std::max(*n, latest);
  }
  for (int i = 0; i < 100000; ++i) {
    std::optional<core::EpochMs> after = sch.NextAfter(*n);
    if (!after || *after + s.offset_ms > now) break;
    n = after;
  }
  return *n;
}

void Scheduler::SetSources(std::vector<Entry> entries, Limits limits) {
  std::lock_guard lock(mu_);
  const core::EpochMs now = clock_.NowMs();
  std::vector<SourceSlot> next;
  next.reserve(entries.size());
  for (Entry& e : entries) {
    SourceSlot s;
    s.entry = std::move(e);
    auto old = std::find_if(sources_.begin(), sources_.end(),
                            [&](const SourceSlot& o) { return o.entry.name == s.entry.name; });
    if (old != sources_.end() && old->entry.schedule.text() == s.entry.schedule.text() &&
        old->entry.jitter_ms == s.entry.jitter_ms && old->entry.enabled == s.entry.enabled) {
      s.offset_ms = old->offset_ms;
      s.slot = old->slot;
      s.fire_at = old->fire_at;
      s.requested = old->requested;
      s.request_full = old->request_full;
    } else {
      StartOver(s, now);
      if (old != sources_.end()) {
        s.requested = old->requested;
        s.request_full = old->request_full;
      }
    }
    next.push_back(std::move(s));
  }
  sources_ = std::move(next);
  limits_ = limits;
}

Status Scheduler::Request(const std::string& source, bool full) {
  std::lock_guard lock(mu_);
  for (SourceSlot& s : sources_) {
    if (s.entry.name != source) continue;
    if (RunningLocked(source)) {
      return Status::FailedPrecondition("source '" + source + "' is being harvested right now");
    }
    if (s.requested) {
      return Status::FailedPrecondition("a run of source '" + source +
                                        "' is already waiting for a free run slot");
    }
    s.requested = true;
    s.request_full = full;
    return Status::Ok();
  }
  return Status::NotFound("no source named '" + source + "' in the running configuration");
}

bool Scheduler::RunningLocked(const std::string& source) const {
  for (const auto& [id, r] : running_) {
    if (r.job.source == source) return true;
  }
  return false;
}

std::vector<Job> Scheduler::TakeDue() {
  std::lock_guard lock(mu_);
  const core::EpochMs now = clock_.NowMs();
  std::vector<SourceSlot*> due;
  for (SourceSlot& s : sources_) {
    bool scheduled = s.fire_at && *s.fire_at <= now;
    if ((s.requested || scheduled) && !RunningLocked(s.entry.name)) due.push_back(&s);
  }
  std::stable_sort(due.begin(), due.end(), [](const SourceSlot* a, const SourceSlot* b) {
    if (a->requested != b->requested) return a->requested;
    core::EpochMs fa = a->fire_at.value_or(0);
    core::EpochMs fb = b->fire_at.value_or(0);
    return fa < fb;
  });
  std::vector<Job> out;
  for (SourceSlot* s : due) {
    if (static_cast<int>(running_.size()) >= limits_.max_concurrent) break;
    Job job;
    job.id = next_job_++;
    job.source = s->entry.name;
    if (s->requested) {
      job.requested = true;
      job.slot = -1;
      job.full = s->request_full;
      s->requested = false;
    } else {
      job.slot = s->slot;
    }
    Running r;
    r.job = job;
    r.started_mono = clock_.MonotonicMs();
    r.started_wall = now;
    running_.emplace(job.id, r);
    out.push_back(std::move(job));
  }
  return out;
}

void Scheduler::Finished(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = running_.find(id);
  if (it == running_.end()) return;
  Job job = std::move(it->second.job);
  // A first harvest (slot 0) covers the slots up to its start.
  const core::EpochMs started = it->second.started_wall;
  running_.erase(it);
  const core::EpochMs now = clock_.NowMs();
  for (SourceSlot& s : sources_) {
    if (s.entry.name != job.source) continue;
    s.entry.last_started = now;
    if (!s.fire_at) return;     // manual or disabled
    if (job.requested) return;  // the schedule stands as it was
    s.slot = NextSlotAfterRun(s, job.slot > 0 ? job.slot : started - s.offset_ms, now);
    s.fire_at = std::max(now, s.slot + s.offset_ms);
    return;
  }
}

std::vector<Job> Scheduler::TakeTimedOut() {
  std::lock_guard lock(mu_);
  const int64_t mono = clock_.MonotonicMs();
  std::vector<Job> out;
  for (auto& [id, r] : running_) {
    if (r.stop_mono < 0 && mono - r.started_mono >= limits_.run_timeout_ms) {
      r.stop_mono = mono;
      out.push_back(r.job);
    }
  }
  return out;
}

void Scheduler::StopAll() {
  std::lock_guard lock(mu_);
  const int64_t mono = clock_.MonotonicMs();
  for (auto& [id, r] : running_) {
    if (r.stop_mono < 0) r.stop_mono = mono;
  }
}

std::vector<Job> Scheduler::TakeStuck() {
  std::lock_guard lock(mu_);
  const int64_t mono = clock_.MonotonicMs();
  std::vector<Job> out;
  for (auto& [id, r] : running_) {
    if (r.stop_mono >= 0 && !r.stuck_reported && mono - r.stop_mono >= limits_.stop_timeout_ms) {
      r.stuck_reported = true;
      out.push_back(r.job);
    }
  }
  return out;
}

std::optional<int64_t> Scheduler::MsUntilNextEvent() const {
  std::lock_guard lock(mu_);
  const core::EpochMs now = clock_.NowMs();
  const int64_t mono = clock_.MonotonicMs();
  std::optional<int64_t> best;
  auto consider = [&](int64_t ms) { best = std::max<int64_t>(0, best ? std::min(*best, ms) : ms); };
  const bool slot_free = static_cast<int>(running_.size()) < limits_.max_concurrent;
  for (const SourceSlot& s : sources_) {
    if (RunningLocked(s.entry.name) || !slot_free) continue;
    if (s.requested) consider(0);
    if (s.fire_at) consider(*s.fire_at - now);
  }
  for (const auto& [id, r] : running_) {
    if (r.stop_mono < 0) {
      consider(r.started_mono + limits_.run_timeout_ms - mono);
    } else if (!r.stuck_reported) {
      consider(r.stop_mono + limits_.stop_timeout_ms - mono);
    }
  }
  return best;
}

std::vector<SourceState> Scheduler::Sources() const {
  std::lock_guard lock(mu_);
  std::vector<SourceState> out;
  for (const SourceSlot& s : sources_) {
    SourceState st;
    st.name = s.entry.name;
    st.kind = s.entry.kind;
    st.schedule = s.entry.schedule.text();
    st.enabled = s.entry.enabled;
    st.next_run_ms = s.fire_at.value_or(0);
    for (const auto& [id, r] : running_) {
      if (r.job.source == s.entry.name) {
        st.running = true;
        st.running_since_ms = r.started_wall;
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

int Scheduler::running() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(running_.size());
}

bool Scheduler::IsRunning(const std::string& source) const {
  std::lock_guard lock(mu_);
  return RunningLocked(source);
}

}  // namespace meabridge::daemon
