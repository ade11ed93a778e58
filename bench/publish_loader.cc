// Loads the synthetic focal points of /work/shared/peers/gen_contacts.py into a meabridge store
// through the store API, for bench/publish_bench.sh; and, with `churn`, keeps committing
// harvest runs that rewrite a subset of them (the readers-during-commit measurement).
//
//   publish_loader load  STORE contacts-odata-v4.json
//   publish_loader churn STORE contacts-odata-v4.json --country FR --seconds 10
//       every run rewrites the `position` of every contact of COUNTRY to "run <N>" (one
//       transaction per run), so a reader that sees two different markers in one response has
//       seen a mix of two runs. Prints runs committed and their rate.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "model/canonical_json.h"
#include "model/registry.h"
#include "store/store.h"

using namespace meabridge;  // NOLINT: a benchmark tool

namespace {

int Fail(const std::string& what) {
  std::cerr << "publish_loader: " << what << "\n";
  return 1;
}

Result<std::vector<model::Record>> ReadContacts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  rapidjson::Document doc;
  MB_RETURN_IF_ERROR(json::Parse(text, doc));
  const rapidjson::Value* value = json::Member(doc, "value");
  if (!value || !value->IsArray()) return Status::ParseError(path + ": no \"value\" array");
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  std::vector<model::Record> out;
  out.reserve(value->Size());
  for (rapidjson::Value& item : doc["value"].GetArray()) {
    auto fax = item.FindMember("fax");
    if (fax != item.MemberEnd() && fax->value.IsString() && fax->value.GetStringLength() == 0) {
      item.RemoveMember("fax");
    }
    auto r = model::RecordFromJson(contacts, item);
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

core::EpochMs Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Commit(store::Store& store, const std::vector<model::Record>& records,
              const std::string& source) {
  MB_ASSIGN_OR_RETURN(auto w, store.BeginRun(source, Now(), false));
  for (const model::Record& r : records) {
    auto o = w->Upsert(r);
    if (!o.ok()) return o.status();
  }
  store::RunRecord summary;
  summary.status = "ok";
  summary.finished = Now();
  summary.counts.fetched = static_cast<int64_t>(records.size());
  return w->Commit(summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: publish_loader load|churn STORE contacts-odata-v4.json "
                 "[--country CC] [--seconds N]\n";
    return 2;
  }
  std::string mode = argv[1];
  std::string country = "FR";
  double seconds = 10;
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--country") country = argv[i + 1];
    if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
  }
  auto store = store::OpenStore(argv[2]);
  if (!store.ok()) return Fail(store.status().ToString());
  auto records = ReadContacts(argv[3]);
  if (!records.ok()) return Fail(records.status().ToString());
  if (mode == "load") {
    auto t0 = std::chrono::steady_clock::now();
    Status st = Commit(**store, *records, "bench-contacts");
    if (!st.ok()) return Fail(st.ToString());
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("loaded %zu contacts in %.2f s\n", records->size(), s);
    return 0;
  }
  if (mode != "churn") return Fail("unknown mode " + mode);
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  int country_field = contacts.FieldIndex("country");
  std::vector<model::Record> subset;
  for (const model::Record& r : *records) {
    const auto* c = std::get_if<std::string>(&r.Get(static_cast<size_t>(country_field)));
    if (c && *c == country) subset.push_back(r);
  }
  auto t0 = std::chrono::steady_clock::now();
  int runs = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
    ++runs;
    for (model::Record& r : subset) r.Set("position", model::Value("run " + std::to_string(runs)));
    Status st = Commit(**store, subset, "bench-churn");
    if (!st.ok()) return Fail("run " + std::to_string(runs) + ": " + st.ToString());
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("churn: %d runs of %zu contacts committed in %.1f s (%.1f runs/s)\n", runs,
              subset.size(), s, runs / s);
  return 0;
}
