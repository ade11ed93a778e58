// Fills a store with N generated national focal points (Contacts) of realistic size through the
// store API, for the benchmarks that need a big store (bench/export_bench.sh; the daemon's
// start-to-READY figure). The records follow /work/shared/peers/gen_contacts.py's shape (same
// fields, value sets and sizes: ~450 bytes of canonical JSON each), generated on the fly so the
// tool's memory stays flat whatever N.
//
//   gen_store STORE N [--batch B] [--source NAME] [--seed S]
//
// STORE is any store location (a path / sqlite:PATH, or a postgresql:// URL). Records are
// committed as harvest runs of source NAME (default "gen-contacts") of B records each (default
// 100000), ids "%08d-0000-4000-8000-<12 hex>" from 0 to N-1: running it again with the same N
// and seed finds every record unchanged and writes nothing. Prints the count and the rate.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"

using namespace meabridge;  // NOLINT: a benchmark tool

namespace {

constexpr const char* kUsage =
    "usage: gen_store STORE N [--batch B] [--source NAME] [--seed S]\n"
    "fills STORE with N generated Contacts, committed in runs of B records (default 100000)\n";

// A spread of ISO 3166-1 alpha-2 codes (France over-represented, as in gen_contacts.py).
constexpr const char* kCountries[] = {
    "AF", "AL", "DZ", "AR", "AU", "AT", "BD", "BE", "BJ", "BO", "BR", "BG", "BF", "KH", "CM",
    "CA", "CL", "CN", "CO", "CR", "CI", "HR", "CU", "CZ", "DK", "EC", "EG", "ET", "FI", "FR",
    "GA", "DE", "GH", "GR", "GT", "HN", "HU", "IN", "ID", "IR", "IQ", "IE", "IL", "IT", "JM",
    "JP", "JO", "KZ", "KE", "KR", "LB", "MG", "MY", "ML", "MX", "MA", "MZ", "NP", "NL", "NZ",
    "NE", "NG", "NO", "PK", "PA", "PE", "PH", "PL", "PT", "RO", "RU", "RW", "SA", "SN", "ZA",
    "ES", "LK", "SE", "CH", "TZ", "TH", "TN", "TR", "UG", "UA", "GB", "US", "UY", "VN", "ZM"};
constexpr const char* kTreaties[] = {"cbd",   "cites",        "cms",       "ramsar",
                                     "whc",   "plant_treaty", "unfccc",    "unccd",
                                     "basel", "rotterdam",    "stockholm", "minamata"};
constexpr const char* kFirst[] = {"Amina", "Luis",   "Mei",  "Olga", "Kwame", "Sofia",
                                  "Arjun", "Fatima", "Jean", "Ana",  "Tomas", "Yuki"};
constexpr const char* kLast[] = {"Diallo", "García", "Chen",   "Ivanova", "Mensah", "Rossi",
                                 "Sharma", "Haddad", "Dupont", "Silva",   "Novak",  "Sato"};
constexpr const char* kPrefix[] = {"Mr.", "Ms.", "Dr.", "H.E."};
constexpr const char* kDepartment[] = {"Biodiversity", "Climate", "Chemicals", "Wetlands"};
constexpr const char* kType[] = {"Primary", "Alternate", "Technical"};

template <typename T, size_t N>
const T& Pick(std::mt19937_64& rnd, const T (&a)[N]) {
  return a[rnd() % N];
}

model::Record Generate(const model::EntitySpec& contacts, int64_t i, std::mt19937_64& rnd) {
  model::Record r(contacts);
  char id[64];
  std::snprintf(id, sizeof(id), "%08lld-0000-4000-8000-%012llx", static_cast<long long>(i),
                static_cast<unsigned long long>(rnd() & 0xffffffffffffULL));
  r.set_id(id);
  // 2015-01-01 + up to ten years.
  const core::EpochMs base = 1420070400000LL;
  r.Set(model::EntitySpec::kUpdatedField,
        model::DateTime{base + static_cast<int64_t>(rnd() % (10ULL * 365 * 86400)) * 1000});
  r.Set("country", model::Value(std::string(rnd() % 50 == 0 ? "FR" : Pick(rnd, kCountries))));
  model::StringList treaties;
  size_t n = 1 + rnd() % 3;
  size_t start = rnd() % std::size(kTreaties);
  for (size_t k = 0; k < n; ++k) treaties.emplace_back(kTreaties[(start + k * 5) % 12]);
  std::sort(treaties.begin(), treaties.end());
  r.Set("treaties", model::Value(std::move(treaties)));
  r.Set("prefix", model::Value(std::string(Pick(rnd, kPrefix))));
  r.Set("firstName", model::Value(std::string(Pick(rnd, kFirst))));
  r.Set("lastName", model::Value(std::string(Pick(rnd, kLast))));
  r.Set("position", model::Value(std::string("National Focal Point")));
  r.Set("institution", model::Value("Ministry of Environment " + std::to_string(i % 97)));
  r.Set("department", model::Value(std::string(Pick(rnd, kDepartment))));
  r.Set("type", model::Value(std::string(Pick(rnd, kType))));
  r.Set("address", model::Value(std::to_string(1 + rnd() % 999) + " Avenue of Nature"));
  r.Set("email", model::Value("nfp" + std::to_string(i) + "@example.org"));
  r.Set("phone", model::Value("+" + std::to_string(1 + rnd() % 999) + " " +
                              std::to_string(100000 + rnd() % 9900000)));
  r.Set("primary", model::Value(rnd() % 2 == 0));
  r.provenance.source_id = r.id();
  return r;
}

core::EpochMs Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Fail(const std::string& what) {
  std::cerr << "gen_store: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << kUsage;
    return 2;
  }
  std::string location = argv[1];
  char* end = nullptr;
  long long n = std::strtoll(argv[2], &end, 10);
  if (*end != '\0' || n < 0) {
    std::cerr << "gen_store: N must be a count, got '" << argv[2] << "'\n" << kUsage;
    return 2;
  }
  int64_t batch = 100000;
  std::string source = "gen-contacts";
  uint64_t seed = 20131024;
  for (int i = 3; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "gen_store: " << flag << " needs a value\n" << kUsage;
      return 2;
    }
    if (flag == "--batch") {
      batch = std::max<int64_t>(1, std::strtoll(argv[i + 1], nullptr, 10));
    } else if (flag == "--source") {
      source = argv[i + 1];
    } else if (flag == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::cerr << "gen_store: unknown option " << flag << "\n" << kUsage;
      return 2;
    }
  }
  auto store = store::OpenStore(location);
  if (!store.ok()) return Fail(store.status().ToString());
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  std::mt19937_64 rnd(seed);
  auto t0 = std::chrono::steady_clock::now();
  int64_t created = 0;
  for (int64_t first = 0; first < n; first += batch) {
    int64_t last = std::min<int64_t>(n, first + batch);
    core::EpochMs started = Now();
    auto writer = (*store)->BeginRun(source, started, false);
    if (!writer.ok()) return Fail(writer.status().ToString());
    store::RunRecord summary;
    summary.started = started;
    for (int64_t i = first; i < last; ++i) {
      auto outcome = (*writer)->Upsert(Generate(contacts, i, rnd));
      if (!outcome.ok())
        return Fail("record " + std::to_string(i) + ": " + outcome.status().ToString());
      ++summary.counts.fetched;
      if (*outcome == store::UpsertOutcome::kCreated) ++summary.counts.created;
      if (*outcome == store::UpsertOutcome::kUpdated) ++summary.counts.updated;
      if (*outcome == store::UpsertOutcome::kUnchanged) ++summary.counts.unchanged;
    }
    summary.status = "ok";
    summary.finished = Now();
    Status st = (*writer)->Commit(summary);
    if (!st.ok())
      return Fail("commit of records " + std::to_string(first) + ".." + std::to_string(last - 1) +
                  ": " + st.ToString());
    created += summary.counts.created;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%lld contacts in %s (%lld new) in %.2f s (%.0f records/s)\n", n,
              store::RedactStoreLocation(location).c_str(), static_cast<long long>(created), s,
              s > 0 ? static_cast<double>(n) / s : 0.0);
  return 0;
}
