// The child of tests/store/store_crash_test.cc: harvests forever into one store until the
// parent kills it with SIGKILL.
//
//   store_crash_child LOCATION RECORDS
//
// LOCATION is what OpenStore takes: an SQLite file's path, or a postgresql:// URL.
//
// Run k (continuing after the last committed run, read from the watermark) upserts RECORDS
// contacts whose content carries k, deletes those with i % 7 == k % 7, adds three rejects,
// sets the watermark "k" and commits with the warning "k=K". So after any crash the store
// must hold exactly one run's state: every live record says the same k as the watermark and
// the last run row.
//
// It reports its progress on stdout, one line per step, so that the parent kills it at a
// chosen step rather than after a guessed delay: "open" once the store is open, then per run
// "begin K", "upserted K I" after every 500 upserts, "staged K" once the deletes, rejects and
// watermark are written, and "committed K" once the run is committed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"

namespace {

using meabridge::Status;
namespace model = meabridge::model;
namespace store = meabridge::store;

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "store_crash_child: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// One progress line, written whole with write(2) (no stdio buffer to lose at the kill).
void Report(const std::string& line) {
  std::string l = line + "\n";
  if (::write(1, l.data(), l.size()) != static_cast<ssize_t>(l.size())) std::exit(3);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_child LOCATION RECORDS\n");
    return 2;
  }
  const std::string path = argv[1];
  const int n = std::atoi(argv[2]);
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  const std::string filler(600, 'x');

  auto opened = store::OpenStore(path);
  if (!opened.ok()) Die("open", opened.status());
  store::Store& s = **opened;

  int64_t k = 0;
  {
    auto view = s.Read();
    if (!view.ok()) Die("read", view.status());
    auto w = (*view)->Watermark("crash");
    if (!w.ok()) Die("watermark", w.status());
    if (w->has_value()) k = std::atoll((*w)->c_str());
  }
  Report("open");
  for (;;) {
    ++k;
    auto run = s.BeginRun("crash", NowMs(), false);
    if (!run.ok()) Die("begin", run.status());
    store::RunWriter& w = **run;
    const std::string mark = "k=" + std::to_string(k);
    const std::string ks = std::to_string(k);
    Report("begin " + ks);
    for (int i = 0; i < n; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "r%05d", i);
      model::Record r(contacts);
      r.set_id(id);
      r.Set("treaties", model::Value(model::StringList{"cbd", i % 2 ? "cms" : "ramsar"}));
      r.Set("country", model::Value(std::string(i % 3 ? "FR" : "DE")));
      r.Set("firstName", model::Value(mark));
      r.Set("address", model::Value(mark + " " + std::to_string(i) + " " + filler));
      auto o = w.Upsert(r);
      if (!o.ok()) Die("upsert", o.status());
      if ((i + 1) % 500 == 0) Report("upserted " + ks + " " + std::to_string(i + 1));
    }
    for (int i = static_cast<int>(k % 7); i < n; i += 7) {
      char id[16];
      std::snprintf(id, sizeof id, "r%05d", i);
      auto d = w.Delete(contacts, id);
      if (!d.ok()) Die("delete", d.status());
    }
    for (int j = 0; j < 3; ++j) {
      store::Reject rej;
      rej.entity = "Contacts";
      rej.record_id = "bad" + std::to_string(j);
      rej.value = std::to_string(k);
      rej.message = "rejected in " + mark;
      Status st = w.AddReject(rej);
      if (!st.ok()) Die("reject", st);
    }
    Status st = w.SetWatermark(std::to_string(k));
    if (!st.ok()) Die("watermark", st);
    Report("staged " + ks);
    store::RunRecord summary;
    summary.counts.fetched = n;
    summary.warnings = {mark};
    st = w.Commit(summary);
    if (!st.ok()) Die("commit", st);
    Report("committed " + ks);
  }
}
