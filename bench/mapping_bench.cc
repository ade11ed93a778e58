// Decode + map throughput of the mapping engine on one thread: the shipped OData V2 contacts
// mapping over a 100k-record verbose-JSON document (../shared/peers/gen_contacts.py), read
// from memory, every record validated and counted. Also the V4 shape of the same data, and
// its CSV as database rows (BM_SqlRows: Mapping::MapRow per row; BM_SqlRowMapper: one
// RowMapper, as the sql source maps them), for comparison. bench/mapping_vs_jq.sh runs it and
// reports the figures.
//
//   MEABRIDGE_BENCH_DIR=DIR   a folder with contacts-odata-v2.json (and -v4.json, .csv) from
//                             gen_contacts.py; without it the data is generated (100k records)
//                             into a temporary folder first.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "user_cpu.h"

#include "codec/byte_source.h"
#include "codec/csv_reader.h"
#include "codec/doc_tree.h"
#include "mapping/mapping.h"
#include "vocab/vocabulary.h"

namespace {

using namespace meabridge;

class CountSink : public mapping::RecordSink {
 public:
  Status OnRecord(model::Record) override {
    ++records;
    return Status::Ok();
  }
  Status OnReject(mapping::Reject r) override {
    if (++rejects == 1) std::cerr << "reject: " << r.ToString() << "\n";
    return Status::Ok();
  }
  size_t records = 0, rejects = 0;
};

std::string DataDir() {
  static const std::string dir = [] {
    if (const char* d = std::getenv("MEABRIDGE_BENCH_DIR"); d && *d) return std::string(d);
    std::string tmp = (std::filesystem::temp_directory_path() / "meabridge-mapping-bench").string();
    if (!std::filesystem::exists(tmp + "/contacts-odata-v2.json")) {
      std::string cmd = "/usr/bin/python3 " + std::string(MEABRIDGE_SOURCE_DIR) +
                        "/../shared/peers/gen_contacts.py 100000 " + tmp + " >/dev/null";
      if (std::system(cmd.c_str()) != 0) std::cerr << "cannot run: " << cmd << "\n";
    }
    return tmp;
  }();
  return dir;
}

const vocab::Vocabularies& Vocabs() {
  static const std::unique_ptr<vocab::Vocabularies> v = [] {
    auto loaded = vocab::Vocabularies::Load();
    if (!loaded.ok()) {
      std::cerr << loaded.status().message() << "\n";
      std::exit(2);
    }
    return std::move(*loaded);
  }();
  return *v;
}

void MapDocument(benchmark::State& state, const std::string& mapping_rel, const std::string& file,
                 const mapping::Params& params) {
  auto m = mapping::Mapping::Load(std::string(MEABRIDGE_SOURCE_DIR) + "/mappings/" + mapping_rel,
                                  Vocabs());
  if (!m.ok()) {
    state.SkipWithError(m.status().message().c_str());
    return;
  }
  auto text = codec::ReadFile(DataDir() + "/" + file);
  if (!text.ok()) {
    state.SkipWithError(text.status().message().c_str());
    return;
  }
  size_t records = 0;
  bench::UserCpu user;
  for (auto _ : state) {
    user.Start();
    auto source = codec::ByteSource::FromView(*text, file);
    CountSink sink;
    auto info = (*m)->Run(*source, params, sink);
    user.Stop();
    if (!info.ok()) {
      state.SkipWithError(info.status().message().c_str());
      return;
    }
    if (sink.rejects) {
      state.SkipWithError("rejects on valid data");
      return;
    }
    records = sink.records;
    benchmark::DoNotOptimize(records);
  }
  state.SetItemsProcessed(static_cast<int64_t>(records) * state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(text->size()) * state.iterations());
  state.counters["records"] = static_cast<double>(records);
  user.Report(state);
}

void BM_ODataV2Contacts(benchmark::State& state) {
  MapDocument(state, "informea-odata-v2/contacts.xml", "contacts-odata-v2.json", {});
}
void BM_ODataV4Contacts(benchmark::State& state) {
  MapDocument(state, "informea-odata-v4/contacts.json", "contacts-odata-v4.json", {});
}

// Database rows (sql sources): the CSV of the same data read once into rows, then every row
// mapped one by one as the sql source does, through an inline csv mapping of its columns.
constexpr const char* kRowsMapping = R"(<mapping entity="Contacts">
  <decoder format="csv" delimiter=";"/>
  <id path="id"/>
  <field name="updated" path="updated"><step fn="date" pattern="iso"/></field>
  <field name="treaties" path="treaties"><step fn="split" sep=" "/>
    <step fn="lookup" vocabulary="treaties"/></field>
  <field name="country" path="country"><step fn="lookup" vocabulary="countries"/></field>
  <field name="prefix" path="prefix"/><field name="firstName" path="firstName"/>
  <field name="lastName" path="lastName"/><field name="position" path="position"/>
  <field name="institution" path="institution"/><field name="department" path="department"/>
  <field name="type" path="type"/><field name="address" path="address"/>
  <field name="email" path="email"/><field name="phone" path="phone"/>
  <field name="fax" path="fax"/><field name="primary" path="primary"><step fn="bool"/></field>
</mapping>)";

std::vector<mapping::Row> ReadRows() {
  std::vector<mapping::Row> rows;
  auto source = codec::ByteSource::FromFile(DataDir() + "/contacts.csv");
  if (!source.ok()) return rows;
  codec::CsvOptions options;
  options.delimiter = ';';
  codec::CsvReader reader(**source, options);
  codec::CsvRow row;
  std::vector<std::string> header;
  while (true) {
    auto more = reader.Next(&row);
    if (!more.ok() || !*more) break;
    if (header.empty()) {
      header = row.fields;
      continue;
    }
    mapping::Row r;
    for (size_t i = 0; i < header.size() && i < row.fields.size(); ++i) {
      r.emplace_back(header[i], row.fields[i]);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void BM_SqlRows(benchmark::State& state) {
  auto m = mapping::Mapping::LoadText(kRowsMapping, "rows.xml", false, Vocabs());
  if (!m.ok()) {
    state.SkipWithError(m.status().message().c_str());
    return;
  }
  const std::vector<mapping::Row> rows = ReadRows();
  if (rows.empty()) {
    state.SkipWithError("no rows in contacts.csv");
    return;
  }
  for (auto _ : state) {
    CountSink sink;
    for (size_t i = 0; i < rows.size(); ++i) {
      Status s = (*m)->MapRow(rows[i], "row", {}, sink);
      if (!s.ok()) {
        state.SkipWithError(s.message().c_str());
        return;
      }
    }
    if (sink.rejects) {
      state.SkipWithError("rejects on valid data");
      return;
    }
    benchmark::DoNotOptimize(sink.records);
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows.size()) * state.iterations());
}

// The same rows through one RowMapper, as the sql source maps them.
void BM_SqlRowMapper(benchmark::State& state) {
  auto m = mapping::Mapping::LoadText(kRowsMapping, "rows.xml", false, Vocabs());
  if (!m.ok()) {
    state.SkipWithError(m.status().message().c_str());
    return;
  }
  const std::vector<mapping::Row> rows = ReadRows();
  if (rows.empty()) {
    state.SkipWithError("no rows in contacts.csv");
    return;
  }
  for (auto _ : state) {
    CountSink sink;
    auto mapper = (*m)->NewRowMapper({});
    if (!mapper.ok()) {
      state.SkipWithError(mapper.status().message().c_str());
      return;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      Status s = (*mapper)->Map(rows[i], "row", sink);
      if (!s.ok()) {
        state.SkipWithError(s.message().c_str());
        return;
      }
    }
    if (sink.rejects) {
      state.SkipWithError("rejects on valid data");
      return;
    }
    benchmark::DoNotOptimize(sink.records);
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows.size()) * state.iterations());
}

// Rates by CPU time (the work of the one thread, whatever else the machine runs) and by wall
// time (what a quiet machine gives; on a shared one, less).
BENCHMARK(BM_ODataV2Contacts)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ODataV2Contacts)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ODataV4Contacts)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SqlRows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SqlRowMapper)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
