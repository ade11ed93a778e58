// The child of tests/harvest/harvest_crash_test.cc: harvests one http source into an SQLite
// store, run after run, until the parent kills it with SIGKILL.
//
//   harvest_crash_child STORE_PATH URL MAPPING
#include <cstdio>
#include <memory>
#include <string>

#include "config/config.h"
#include "harvest/harvest.h"
#include "store/sqlite/sqlite_store.h"
#include "vocab/vocabulary.h"

int main(int argc, char** argv) {
  namespace harvest = meabridge::harvest;
  if (argc != 4) {
    std::fprintf(stderr, "usage: harvest_crash_child STORE_PATH URL MAPPING\n");
    return 2;
  }
  auto opened = meabridge::store::sqlite::OpenSqliteStore(argv[1]);
  if (!opened.ok()) {
    std::fprintf(stderr, "harvest_crash_child: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto cfg = std::make_shared<meabridge::config::Config>();
  meabridge::config::SourceConfig s;
  s.name = "crash";
  s.kind = "http";
  s.url = argv[2];
  s.mapping = argv[3];
  s.deletion = "snapshot";
  s.incremental = "none";
  cfg->sources.push_back(s);
  harvest::HarvesterDeps deps;
  deps.vocabularies = &meabridge::vocab::Vocabularies::System();
  harvest::Harvester harvester(cfg, **opened, deps);
  for (;;) {
    harvest::RunReport r = harvester.Run(cfg->sources[0], harvest::HarvestOptions{});
    if (!r.ok()) {
      std::fprintf(stderr, "harvest_crash_child: run failed: %s\n", r.run.error.c_str());
      return 1;
    }
  }
}
