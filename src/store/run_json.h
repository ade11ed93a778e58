// A recorded run as JSON members: the one shape `meabridge status --json` and the admin API
// (GET /admin/runs, docs/operations.md) both write, so the two never drift apart.
//
//   "id", "source", "status" (ok, partial, failed, aborted), "full", "started", "finished"
//   (RFC 3339 or null), "durationSeconds" (or null), "counts" {fetched, created, updated,
//   unchanged, deleted, rejected, pages, bytes}, "warnings" [...], "error" (or null)
//
// The caller opens and closes the object, so it can add members of its own.
//
// A reject as JSON members, written by the admin API (GET /admin/runs/ID/rejects) and
// `meabridge rejects --format json`: "entity", "recordId", "position", "field", "rule",
// "value", "message" (strings, "" when unknown).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/json.h"
#include "core/time.h"
#include "store/run_counts.h"
#include "store/store.h"

namespace meabridge::store {

// `Writer`: any RapidJSON writer (Writer or PrettyWriter).
template <typename Writer>
void WriteRunMembers(Writer& w, const RunRecord& r) {
  auto time = [&w](const char* key, core::EpochMs ms) {
    w.Key(key);
    if (ms > 0) {
      w.String(core::FormatDateTime(ms));
    } else {
      w.Null();
    }
  };
  w.Key("id");
  w.Int64(r.id);
  w.Key("source");
  w.String(r.source);
  w.Key("status");
  w.String(r.status);
  w.Key("full");
  w.Bool(r.full);
  time("started", r.started);
  time("finished", r.finished);
  w.Key("durationSeconds");
  if (r.finished >= r.started && r.started > 0) {
    w.Double(static_cast<double>(r.finished - r.started) / 1000.0);
  } else {
    w.Null();
  }
  w.Key("counts");
  w.StartObject();
  for (const RunCountField& f : kRunCountFields) {
    w.Key(f.name.data(), static_cast<rapidjson::SizeType>(f.name.size()));
    w.Int64(r.counts.*f.member);
  }
  w.EndObject();
  w.Key("warnings");
  w.StartArray();
  for (const std::string& s : r.warnings) w.String(s);
  w.EndArray();
  w.Key("error");
  if (r.error.empty()) {
    w.Null();
  } else {
    w.String(r.error);
  }
}

template <typename Writer>
void WriteRejectMembers(Writer& w, const Reject& r) {
  for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"entity", &r.entity},
                             {"recordId", &r.record_id},
                             {"position", &r.position},
                             {"field", &r.field},
                             {"rule", &r.rule},
                             {"value", &r.value},
                             {"message", &r.message}}) {
    w.Key(k);
    w.String(*v);
  }
}

}  // namespace meabridge::store
