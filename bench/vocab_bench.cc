// Country resolution speed: Vocabulary::Lookup over a fixed mix of codes and names as sources
// write them, against the same run's baseline, a plain std::unordered_map<std::string, int> find
// of the same raw strings (what an exact-match table would cost, with none of the folding).
// Target (issue 2): at least 1M lookups/s on one thread.
//
//   build-vocab/bench/vocab_bench [--benchmark_repetitions=5]
//
// prints Google Benchmark's table and, at the end, lookups/s of each and their ratio.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "vocab/vocabulary.h"

namespace {

using meabridge::vocab::Vocabularies;
using meabridge::vocab::Vocabulary;

const std::vector<std::string>& Codes() {
  static const std::vector<std::string> codes = {
      "FR",  "de",  "GB",  "us",  "CN",  "BR",  "IN",  "EU",   // alpha-2
      "FRA", "DEU", "gbr", "USA", "CHN", "EUU", "KOR", "COD",  // alpha-3
      "250", "276", "826", "4",   "004", "840", "156", "076",  // numeric
  };
  return codes;
}

const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = {
      // UN official names
      "Bolivia (Plurinational State of)",
      "United Kingdom of Great Britain and Northern Ireland",
      "Democratic Republic of the Congo",
      "Iran (Islamic Republic of)",
      "Republic of Korea",
      "Netherlands (Kingdom of the)",
      "United Republic of Tanzania",
      "Russian Federation",
      // ISO inverted forms
      "Korea, Republic of",
      "Congo, The Democratic Republic of the",
      "Palestine, State of",
      "Micronesia, Federated States of",
      // short forms
      "Laos",
      "DR Congo",
      "North Korea",
      "Vietnam",
      "UK",
      "Turkey",
      "St Kitts & Nevis",
      "Ivory Coast",
      // diacritics, apostrophes, case
      "C\xC3\xB4te d\xE2\x80\x99Ivoire",
      "T\xC3\xBCrkiye",
      "S\xC3\xA3o Tom\xC3\xA9 & Pr\xC3\xADncipe",
      "COTE D'IVOIRE",
      "Cura\xC3\xA7"
      "ao",
      // footnotes and superscripts
      "France 1/",
      "Germany*",
      "Italy\xC2\xB2",
      "Spain [3]",
      "Bolivia (Plurinational State of)5",
      // misses
      "Korea",
      "Atlantis",
  };
  return names;
}

std::vector<std::string> Mix() {
  std::vector<std::string> mix;
  const auto& codes = Codes();
  const auto& names = Names();
  // Interleaved, about 40% codes and 60% names.
  for (size_t i = 0; i < names.size(); ++i) {
    mix.push_back(names[i]);
    if (i < codes.size()) mix.push_back(codes[i]);
  }
  return mix;
}

const Vocabulary& Countries() { return *Vocabularies::System().Find("countries"); }

void RunLookups(benchmark::State& state, const std::vector<std::string>& inputs) {
  const Vocabulary& countries = Countries();
  size_t hits = 0;
  for (auto _ : state) {
    for (const std::string& s : inputs) {
      const auto* t = countries.Lookup(s);
      benchmark::DoNotOptimize(t);
      hits += t != nullptr;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * inputs.size()));
  state.counters["hit_rate"] =
      static_cast<double>(hits) / static_cast<double>(state.iterations() * inputs.size());
}

void BM_CountryLookupMix(benchmark::State& state) { RunLookups(state, Mix()); }
void BM_CountryLookupCodes(benchmark::State& state) { RunLookups(state, Codes()); }
void BM_CountryLookupNames(benchmark::State& state) { RunLookups(state, Names()); }

// Baseline: an exact-match table of the same raw strings.
void BM_UnorderedMapFindMix(benchmark::State& state) {
  const std::vector<std::string> inputs = Mix();
  std::unordered_map<std::string, int> table;
  for (size_t i = 0; i < inputs.size(); ++i) table.emplace(inputs[i], static_cast<int>(i));
  for (auto _ : state) {
    for (const std::string& s : inputs) {
      auto it = table.find(s);
      benchmark::DoNotOptimize(it);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * inputs.size()));
}

BENCHMARK(BM_CountryLookupMix);
BENCHMARK(BM_CountryLookupCodes);
BENCHMARK(BM_CountryLookupNames);
BENCHMARK(BM_UnorderedMapFindMix);

// Console output as usual, plus a summary with the ratio measured in this run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    // With --benchmark_repetitions, the mean (reported after the repetitions) wins.
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "mean") continue;
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rates_[run.run_name.str()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Summary() const {
    auto get = [&](const char* name) {
      auto it = rates_.find(name);
      return it == rates_.end() ? 0.0 : it->second;
    };
    const double mix = get("BM_CountryLookupMix");
    const double baseline = get("BM_UnorderedMapFindMix");
    if (mix <= 0 || baseline <= 0) return;
    std::printf("\ncountry Lookup (mix):        %12.0f lookups/s (target >= 1000000: %s)\n", mix,
                mix >= 1e6 ? "met" : "NOT MET");
    std::printf("  codes only:                %12.0f lookups/s\n", get("BM_CountryLookupCodes"));
    std::printf("  names only:                %12.0f lookups/s\n", get("BM_CountryLookupNames"));
    std::printf("unordered_map find (mix):    %12.0f lookups/s\n", baseline);
    std::printf("ratio Lookup / exact find:   %12.2f (Lookup is %.1fx slower)\n", mix / baseline,
                baseline / mix);
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  (void)Countries();  // load outside the timed loops
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Summary();
  benchmark::Shutdown();
  return 0;
}
