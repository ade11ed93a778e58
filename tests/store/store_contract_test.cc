// The store contract suite (see store_contract.h): every backend passes these tests.
#include "store/store_contract.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/hash.h"
#include "model/canonical_json.h"
#include "support/full_record.h"
#include "support/test_support.h"

namespace meabridge::store::testing {

using model::DateTime;
using model::EntitySpec;
using model::Item;
using model::Multilingual;
using model::Record;
using model::StringList;
using model::Value;
using E = std::unique_ptr<Expr>;
using Op = Expr::Op;

// The backends this suite runs against: the one place to add one (each backend's harness
// lives in its own test file).
std::vector<Backend> ContractBackends() { return {SqliteBackend(), PostgresBackend()}; }

// --- shared fixtures --------------------------------------------------------------------------

bool ThreadIsAsleep(int tid) {
  std::FILE* f = std::fopen(("/proc/self/task/" + std::to_string(tid) + "/stat").c_str(), "r");
  if (!f) return false;
  char buf[512];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // "TID (COMM) STATE ...": COMM may hold spaces and parentheses; the state follows the last ')'.
  const char* close = std::strrchr(buf, ')');
  return close && close[1] == ' ' && close[2] == 'S';
}

void StoreContractTest::SetUp() {
  harness_ = GetParam().make();
  Result<std::unique_ptr<Store>> s = harness_->Open(5000);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
}

const model::Registry& Reg() { return model::Registry::Default(); }
const EntitySpec& Contacts() { return *Reg().Find("Contacts"); }
const EntitySpec& Treaties() { return *Reg().Find("Treaties"); }
const EntitySpec& Decisions() { return *Reg().Find("Decisions"); }
const EntitySpec& Meetings() { return *Reg().Find("Meetings"); }
const EntitySpec& Memberships() { return *Reg().Find("Memberships"); }

int Field(const EntitySpec& e, const char* name) {
  int i = e.FieldIndex(name);
  EXPECT_GE(i, 0) << e.set_name << " has no field " << name;
  return i;
}

Record Contact(const std::string& id, const std::string& country, std::vector<std::string> treaties,
               const std::string& first_name) {
  Record r(Contacts());
  r.set_id(id);
  if (!country.empty()) r.Set("country", Value(country));
  if (!treaties.empty()) r.Set("treaties", Value(StringList(std::move(treaties))));
  if (!first_name.empty()) r.Set("firstName", Value(first_name));
  return r;
}

int64_t CommitRun(Store& store, const std::string& source, const std::vector<Record>& records,
                  core::EpochMs started) {
  auto w = store.BeginRun(source, started, false);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return 0;
  for (const Record& r : records) {
    auto o = (*w)->Upsert(r);
    EXPECT_TRUE(o.ok()) << r.id() << ": " << o.status().ToString();
  }
  int64_t id = (*w)->run_id();
  RunRecord summary;
  summary.counts.fetched = static_cast<int64_t>(records.size());
  Status s = (*w)->Commit(summary);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return id;
}

std::vector<std::string> Ids(ReadView& view, const Query& query) {
  std::vector<std::string> ids;
  Status s = view.Scan(query, [&](const Record& r) {
    ids.push_back(r.id());
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return ids;
}

namespace {

Value S(const char* s) { return Value(std::string(s)); }
Value I(int64_t i) { return Value(i); }
Value Dbl(double d) { return Value(d); }
Value B(bool b) { return Value(b); }
Value Date(int y, int m, int d) { return Value(core::CivilDate{y, m, d}); }
Value Time(const char* rfc3339) { return Value(DateTime{*core::ParseDateTime(rfc3339)}); }
Value Ml(std::vector<std::pair<std::string, std::string>> texts) {
  Multilingual m;
  for (auto& [l, t] : texts) model::SetText(m, l, t);
  return Value(std::move(m));
}
Value Items(std::vector<Item> items) { return Value(model::ItemList(std::move(items))); }

std::unique_ptr<ReadView> View(Store& store) {
  auto v = store.Read();
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(*v) : nullptr;
}

Query Q(const EntitySpec& e, E filter = nullptr) {
  Query q;
  q.entity = &e;
  q.filter = std::shared_ptr<const Expr>(std::move(filter));
  return q;
}

E Cmp(const EntitySpec& e, const char* f, Op op, Value v) {
  return Expr::Compare(Field(e, f), op, std::move(v));
}
E Text(Expr::Kind kind, int field, const char* s, std::string item_field = "") {
  auto x = std::make_unique<Expr>();
  x->kind = kind;
  x->field = field;
  x->item_field = std::move(item_field);
  x->literal = S(s);
  return x;
}
E In(int field, std::vector<Value> list) {
  auto x = std::make_unique<Expr>();
  x->kind = Expr::Kind::kIn;
  x->field = field;
  x->list = std::move(list);
  return x;
}
E Any(int field, E child) {
  auto x = std::make_unique<Expr>();
  x->kind = Expr::Kind::kAny;
  x->field = field;
  if (child) x->children.push_back(std::move(child));
  return x;
}
E Elem(Op op, Value v) { return Expr::Compare(Expr::kElement, op, std::move(v)); }
E ItemCmp(const char* item, Op op, Value v) {
  E x = Expr::Compare(Expr::kElement, op, std::move(v));
  x->item_field = item;
  return x;
}
E True() { return std::make_unique<Expr>(); }

int64_t SeqOf(Store& store, const EntitySpec& e, const std::string& id) {
  auto view = View(store);
  int64_t seq = -1;
  Status s = view->ScanChanges(&e, 0, -1, [&](const Change& c) {
    if (c.id == id) seq = c.seq;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return seq;
}

int64_t MaxSeq(Store& store) {
  auto view = View(store);
  auto m = view->MaxSeq();
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : -1;
}

std::vector<Change> AllChanges(Store& store, const EntitySpec* e, int64_t since,
                               int64_t limit = -1) {
  auto view = View(store);
  std::vector<Change> out;
  Status s = view->ScanChanges(e, since, limit, [&](const Change& c) {
    out.push_back(c);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

constexpr core::EpochMs kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

// --- records, sequence numbers, tombstones ------------------------------------------------------

TEST_P(StoreContractTest, EmptyStore) {
  auto view = View(store());
  EXPECT_EQ(*view->MaxSeq(), 0);
  EXPECT_EQ(*view->OldestTrackedSeq(), 0);
  EXPECT_FALSE(view->Get(Contacts(), "nobody")->has_value());
  EXPECT_EQ(*view->Count(Q(Contacts())), 0);
  EXPECT_TRUE(view->Runs("", 10)->empty());
  EXPECT_FALSE(view->Watermark("src")->has_value());
}

TEST_P(StoreContractTest, InsertStoresEveryFieldAndProvenance) {
  Record c = Contact("c1", "FR", {"cbd", "cms"}, "Anne");
  c.Set("lastName", S("Martin"));
  c.Set("primary", B(true));
  c.Set("roles", Items({{{"treaty", "cbd"}, {"role", "National focal point"}}}));
  c.Set("address", S("1 rue de l'Université\n75007 Paris"));
  c.provenance.source_id = "src-1";
  int64_t run = CommitRun(store(), "cbd-contacts", {c}, kT0);

  Record d(Decisions());
  d.set_id("d1");
  d.Set("treaty", S("cbd"));
  d.Set("title", Ml({{"en", "Biodiversity and climate"}, {"fr", "Biodiversité et climat"}}));
  d.Set("published", Time("2020-05-01T10:00:00.250Z"));
  d.Set("displayOrder", I(-7));
  d.Set(
      "keywords",
      Items({{{"term", "http://www.informea.org/terms/biodiversity"}, {"label", "biodiversity"}}}));
  d.Set("files",
        Items({{{"url", "http://x/a.pdf"}, {"language", "en"}}, {{"url", "http://x/b.pdf"}}}));
  d.Set("updated", Time("2019-02-03T04:05:06Z"));
  Record m(Meetings());
  m.set_id("m1");
  m.Set("treaty", S("cms"));
  m.Set("title", Ml({{"en", "COP14"}}));
  m.Set("latitude", Dbl(24.4539));
  m.Set("longitude", Dbl(-0.1));
  m.Set("virtual", B(false));
  Record ms(Memberships());
  ms.set_id("cbd:FR");
  ms.Set("treaty", S("cbd"));
  ms.Set("country", S("FR"));
  ms.Set("status", S("ratification"));
  ms.Set("signature", Date(1992, 6, 13));
  CommitRun(store(), "mixed", {d, m, ms}, kT0 + 1000);

  auto view = View(store());
  auto got = view->Get(Contacts(), "c1");
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  const Record& r = **got;
  // `updated` was absent: the store set the run's start time, after hashing.
  EXPECT_EQ(std::get<DateTime>(r.Get(model::EntitySpec::kUpdatedField)).ms, kT0);
  Record expected = c;
  expected.Set(model::EntitySpec::kUpdatedField, Value(DateTime{kT0}));
  EXPECT_TRUE(r.SameContent(expected)) << model::CanonicalJson(r);
  EXPECT_EQ(r.provenance.source, "cbd-contacts");
  EXPECT_EQ(r.provenance.source_id, "src-1");
  EXPECT_EQ(r.provenance.run_id, run);
  EXPECT_EQ(r.provenance.fetched_at, kT0);
  EXPECT_EQ(r.provenance.content_hash, core::ContentHash(model::ContentJson(c)));

  for (const Record* want : {&d, &m, &ms}) {
    auto g = view->Get(want->entity(), want->id());
    ASSERT_TRUE(g.ok() && g->has_value()) << want->id();
    Record e = *want;
    if (std::holds_alternative<std::monostate>(e.Get(1))) e.Set(1, Value(DateTime{kT0 + 1000}));
    EXPECT_EQ(model::CanonicalJson(**g), model::CanonicalJson(e));
  }
  EXPECT_EQ(*view->MaxSeq(), 4);
}

// Every entity of the registry, with every field and item field set, is stored and read back
// whole, and can be filtered on each indexed scalar field: the schema follows the registry, so
// an entity added there needs no change here.
TEST_P(StoreContractTest, EveryEntityOfTheRegistryRoundTripsWithEveryField) {
  std::vector<Record> records;
  for (const EntitySpec& e : Reg().entities()) {
    records.push_back(meabridge::testing::FullRecord(e, e.name + "-1", 1));
    records.push_back(meabridge::testing::FullRecord(e, e.name + "-2", 2));
  }
  CommitRun(store(), "every-entity", records, kT0);
  auto view = View(store());
  for (const Record& want : records) {
    SCOPED_TRACE(want.entity().set_name + " " + want.id());
    auto got = view->Get(want.entity(), want.id());
    ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
    EXPECT_EQ(model::CanonicalJson(**got), model::CanonicalJson(want));
  }
  for (const EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    EXPECT_EQ(*view->Count(Q(e)), 2);
    const Record second = meabridge::testing::FullRecord(e, "", 2);
    for (size_t i = 2; i < e.fields.size(); ++i) {
      const model::FieldSpec& f = e.fields[i];
      if (!f.indexed || f.IsList() || f.type == model::FieldType::kMultilingual) continue;
      std::vector<std::string> ids;
      Status s = view->Scan(Q(e, Expr::Compare(static_cast<int>(i), Op::kEq, second.Get(i))),
                            [&](const Record& r) {
                              ids.push_back(r.id());
                              return Status::Ok();
                            });
      ASSERT_TRUE(s.ok()) << f.name << ": " << s.ToString();
      EXPECT_EQ(ids, std::vector<std::string>{e.name + "-2"}) << f.name;
    }
  }
}

TEST_P(StoreContractTest, UpsertOutcomesAndSequence) {
  auto w = store().BeginRun("s", kT0, false);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*(*w)->Upsert(Contact("a", "FR", {"cbd"}, "A")), UpsertOutcome::kCreated);
  EXPECT_EQ(*(*w)->Upsert(Contact("b", "DE", {"cbd"}, "B")), UpsertOutcome::kCreated);
  EXPECT_EQ(*(*w)->Upsert(Contact("a", "FR", {"cbd"}, "A")), UpsertOutcome::kUnchanged);
  ASSERT_TRUE((*w)->Commit({}).ok());
  EXPECT_EQ(MaxSeq(store()), 2);
  EXPECT_EQ(SeqOf(store(), Contacts(), "a"), 1);
  EXPECT_EQ(SeqOf(store(), Contacts(), "b"), 2);
}

TEST_P(StoreContractTest, UnchangedUpsertWritesNothing) {
  int64_t run1 =
      CommitRun(store(), "s", {Contact("a", "FR", {"cbd"}, "A"), Contact("b", "DE", {}, "B")}, kT0);
  int64_t max_before = MaxSeq(store());
  auto w = store().BeginRun("s", kT0 + 60000, false);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*(*w)->Upsert(Contact("a", "FR", {"cbd"}, "A")), UpsertOutcome::kUnchanged);
  EXPECT_EQ(*(*w)->Upsert(Contact("b", "DE", {}, "B")), UpsertOutcome::kUnchanged);
  ASSERT_TRUE((*w)->Commit({}).ok());

  EXPECT_EQ(MaxSeq(store()), max_before);
  EXPECT_TRUE(AllChanges(store(), nullptr, max_before).empty());
  EXPECT_EQ(SeqOf(store(), Contacts(), "a"), 1);
  auto view = View(store());
  auto a = view->Get(Contacts(), "a");
  // Nothing was rewritten: the record still carries the first run and its `updated`.
  EXPECT_EQ((*a)->provenance.run_id, run1);
  EXPECT_EQ((*a)->provenance.fetched_at, kT0);
  EXPECT_EQ(std::get<DateTime>((*a)->Get(1)).ms, kT0);
}

TEST_P(StoreContractTest, UpdateBumpsSequenceAndUpdated) {
  CommitRun(store(), "s", {Contact("a", "FR", {"cbd"}, "A"), Contact("b", "DE", {}, "B")}, kT0);
  auto w = store().BeginRun("s", kT0 + 60000, false);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*(*w)->Upsert(Contact("a", "FR", {"cbd"}, "Anne")), UpsertOutcome::kUpdated);
  Record explicit_updated = Contact("b", "DE", {}, "Bernd");
  explicit_updated.Set("updated", Time("2001-01-01T00:00:00Z"));
  EXPECT_EQ(*(*w)->Upsert(explicit_updated), UpsertOutcome::kUpdated);
  ASSERT_TRUE((*w)->Commit({}).ok());
  EXPECT_EQ(SeqOf(store(), Contacts(), "a"), 3);
  EXPECT_EQ(SeqOf(store(), Contacts(), "b"), 4);
  auto view = View(store());
  EXPECT_EQ(std::get<DateTime>((*view->Get(Contacts(), "a"))->Get(1)).ms, kT0 + 60000);
  EXPECT_EQ(std::get<DateTime>((*view->Get(Contacts(), "b"))->Get(1)).ms,
            *core::ParseDateTime("2001-01-01T00:00:00Z"));
  auto changes = AllChanges(store(), &Contacts(), 2);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].id, "a");
  EXPECT_EQ(std::get<std::string>(*changes[0].record->Find("firstName")), "Anne");
}

TEST_P(StoreContractTest, TombstonesAndResurrection) {
  CommitRun(store(), "s", {Contact("a", "FR", {"cbd"}, "A"), Contact("b", "DE", {}, "B")}, kT0);
  {
    auto w = store().BeginRun("s", kT0 + 1000, false);
    ASSERT_TRUE(w.ok());
    EXPECT_TRUE(*(*w)->Delete(Contacts(), "a"));
    EXPECT_FALSE(*(*w)->Delete(Contacts(), "a"));        // already deleted: nothing written
    EXPECT_FALSE(*(*w)->Delete(Contacts(), "missing"));  // never existed
    EXPECT_FALSE(*(*w)->Delete(Treaties(), "b"));        // other entity
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(MaxSeq(store()), 3);
  {
    auto view = View(store());
    EXPECT_FALSE(view->Get(Contacts(), "a")->has_value());
    EXPECT_EQ(*view->Count(Q(Contacts())), 1);
    EXPECT_EQ(Ids(*view, Q(Contacts())), std::vector<std::string>{"b"});
  }
  auto changes = AllChanges(store(), &Contacts(), 2);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].id, "a");
  EXPECT_EQ(changes[0].seq, 3);
  EXPECT_TRUE(changes[0].deleted);
  EXPECT_FALSE(changes[0].record.has_value());
  EXPECT_EQ(changes[0].deleted_at, kT0 + 1000);
  EXPECT_EQ(changes[0].entity, &Contacts());

  // The same content comes back: a new record with a new number, although its hash matches
  // what was stored before the deletion.
  {
    auto w = store().BeginRun("s", kT0 + 2000, false);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*(*w)->Upsert(Contact("a", "FR", {"cbd"}, "A")), UpsertOutcome::kCreated);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(SeqOf(store(), Contacts(), "a"), 4);
  auto view = View(store());
  EXPECT_TRUE(view->Get(Contacts(), "a")->has_value());
  auto after = AllChanges(store(), &Contacts(), 0);
  ASSERT_EQ(after.size(), 2u);  // b (2) and a (4): the tombstone was replaced
  EXPECT_EQ(after[1].id, "a");
  EXPECT_FALSE(after[1].deleted);
}

TEST_P(StoreContractTest, ChangesSinceAcrossEntitiesInSeqOrder) {
  Record t(Treaties());
  t.set_id("cbd");
  t.Set("title", Ml({{"en", "CBD"}}));
  Record d(Decisions());
  d.set_id("d1");
  d.Set("treaty", S("cbd"));
  d.Set("title", Ml({{"en", "D1"}}));
  CommitRun(store(), "s", {Contact("a", "FR", {}, "A"), t, Contact("b", "FR", {}, "B"), d}, kT0);
  {
    auto w = store().BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(*(*w)->Delete(Treaties(), "cbd"));
    ASSERT_EQ(*(*w)->Upsert(Contact("a", "FR", {}, "A2")), UpsertOutcome::kUpdated);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  auto all = AllChanges(store(), nullptr, 0);
  std::vector<std::pair<std::string, int64_t>> got;
  for (const Change& c : all) got.emplace_back(c.entity->set_name + "/" + c.id, c.seq);
  std::vector<std::pair<std::string, int64_t>> want = {
      {"Contacts/b", 3}, {"Decisions/d1", 4}, {"Treaties/cbd", 5}, {"Contacts/a", 6}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(all[2].deleted);

  auto since4 = AllChanges(store(), nullptr, 4);
  ASSERT_EQ(since4.size(), 2u);
  EXPECT_EQ(since4[0].seq, 5);
  auto limited = AllChanges(store(), nullptr, 0, 2);
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[1].seq, 4);
  auto contacts = AllChanges(store(), &Contacts(), 0);
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0].id, "b");
  EXPECT_EQ(contacts[1].id, "a");
  EXPECT_TRUE(AllChanges(store(), nullptr, 6).empty());

  // Stopping early returns the callback's status.
  auto view = View(store());
  int n = 0;
  Status s = view->ScanChanges(nullptr, 0, -1, [&](const Change&) {
    return ++n == 2 ? Status::Aborted("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), Status::Code::kAborted);
  EXPECT_EQ(n, 2);
}

TEST_P(StoreContractTest, LiveIdsOfTheRunsSource) {
  CommitRun(store(), "one", {Contact("c", "FR", {}, "C"), Contact("a", "FR", {}, "A")}, kT0);
  CommitRun(store(), "two", {Contact("z", "FR", {}, "Z")}, kT0);
  auto w = store().BeginRun("one", kT0 + 1, false);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Upsert(Contact("b", "FR", {}, "B")).ok());
  ASSERT_TRUE(*(*w)->Delete(Contacts(), "c"));
  auto ids = (*w)->LiveIds(Contacts());
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*w)->LiveIds(Treaties())->empty());
}

// --- runs, rejects, watermarks, transactions ----------------------------------------------------

TEST_P(StoreContractTest, CommittedRunRecordsSummaryRejectsAndWatermark) {
  auto w = store().BeginRun("cbd-contacts", kT0, true);
  ASSERT_TRUE(w.ok());
  int64_t id = (*w)->run_id();
  EXPECT_GT(id, 0);
  ASSERT_TRUE((*w)->Upsert(Contact("a", "FR", {}, "A")).ok());
  Reject r;
  r.entity = "Contacts";
  r.record_id = "x1";
  r.position = "/items/3";
  r.field = "country";
  r.rule = "vocabulary";
  r.value = "Atlantis";
  r.message = "unknown country";
  ASSERT_TRUE((*w)->AddReject(r).ok());
  ASSERT_TRUE((*w)->AddReject(Reject{}).ok());
  ASSERT_TRUE((*w)->SetWatermark("2024-01-01T00:00:00Z").ok());
  ASSERT_TRUE((*w)->SetWatermark("cursor-2").ok());  // the last one wins
  RunRecord summary;
  summary.finished = kT0 + 5000;
  summary.counts = RunCounts{10, 1, 2, 3, 4, 2, 5, 12345};
  summary.warnings = {"slow source", "page 3 retried"};
  ASSERT_TRUE((*w)->Commit(summary).ok());
  // A committed writer refuses further work.
  EXPECT_EQ((*w)->Upsert(Contact("b", "FR", {}, "B")).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ((*w)->Commit(summary).code(), Status::Code::kFailedPrecondition);
  w->reset();

  auto view = View(store());
  auto run = view->Run(id);
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->id, id);
  EXPECT_EQ((*run)->source, "cbd-contacts");
  EXPECT_EQ((*run)->status, "ok");
  EXPECT_EQ((*run)->started, kT0);
  EXPECT_EQ((*run)->finished, kT0 + 5000);
  EXPECT_TRUE((*run)->full);
  EXPECT_EQ((*run)->counts.fetched, 10);
  EXPECT_EQ((*run)->counts.rejected, 2);
  EXPECT_EQ((*run)->counts.bytes, 12345);
  EXPECT_EQ((*run)->warnings, summary.warnings);
  EXPECT_EQ((*run)->error, "");
  auto rejects = view->Rejects(id, 10);
  ASSERT_TRUE(rejects.ok());
  ASSERT_EQ(rejects->size(), 2u);
  EXPECT_EQ((*rejects)[0].run_id, id);
  EXPECT_EQ((*rejects)[0].source, "cbd-contacts");
  EXPECT_EQ((*rejects)[0].position, "/items/3");
  EXPECT_EQ((*rejects)[0].rule, "vocabulary");
  EXPECT_EQ((*rejects)[0].value, "Atlantis");
  EXPECT_EQ((*rejects)[0].message, "unknown country");
  EXPECT_EQ(view->Rejects(id, 1)->size(), 1u);
  EXPECT_EQ(**view->Watermark("cbd-contacts"), "cursor-2");
  EXPECT_FALSE(view->Watermark("other")->has_value());
}

TEST_P(StoreContractTest, RolledBackRunLeavesNoTrace) {
  CommitRun(store(), "s", {Contact("keep", "FR", {}, "K")}, kT0);
  {
    auto w = store().BeginRun("s", kT0, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->SetWatermark("w1").ok());
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  const int64_t max_before = MaxSeq(store());
  int64_t rolled_back_id = 0;
  {
    auto w = store().BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    rolled_back_id = (*w)->run_id();
    ASSERT_TRUE((*w)->Upsert(Contact("new", "FR", {}, "N")).ok());
    ASSERT_TRUE((*w)->Upsert(Contact("keep", "DE", {}, "changed")).ok());
    ASSERT_TRUE(*(*w)->Delete(Contacts(), "keep"));
    ASSERT_TRUE((*w)->AddReject(Reject{}).ok());
    ASSERT_TRUE((*w)->SetWatermark("w2").ok());
    // destroyed without Commit
  }
  auto view = View(store());
  EXPECT_EQ(*view->MaxSeq(), max_before);
  EXPECT_FALSE(view->Get(Contacts(), "new")->has_value());
  auto keep = view->Get(Contacts(), "keep");
  ASSERT_TRUE(keep->has_value());
  EXPECT_EQ(std::get<std::string>(*(*keep)->Find("firstName")), "K");
  EXPECT_EQ(**view->Watermark("s"), "w1");
  EXPECT_TRUE(view->Rejects(rolled_back_id, 10)->empty());
  EXPECT_FALSE(view->Run(rolled_back_id)->has_value());
  EXPECT_EQ(view->Runs("s", 10)->size(), 2u);
  EXPECT_TRUE(AllChanges(store(), nullptr, max_before).empty());
  // The sequence continues from the last committed number.
  view.reset();
  CommitRun(store(), "s", {Contact("after", "FR", {}, "X")}, kT0 + 2);
  EXPECT_EQ(SeqOf(store(), Contacts(), "after"), max_before + 1);
}

TEST_P(StoreContractTest, WatermarkCommittedOnlyWithItsRun) {
  {
    auto w = store().BeginRun("s", kT0, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->SetWatermark("first").ok());
    auto view = View(store());
    EXPECT_FALSE(view->Watermark("s")->has_value());  // not before the commit
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(**View(store())->Watermark("s"), "first");
  {
    auto w = store().BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->SetWatermark("second").ok());
  }
  EXPECT_EQ(**View(store())->Watermark("s"), "first");
  {
    auto w = store().BeginRun("other", kT0 + 2, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->SetWatermark("o").ok());
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  auto view = View(store());
  EXPECT_EQ(**view->Watermark("s"), "first");
  EXPECT_EQ(**view->Watermark("other"), "o");
}

TEST_P(StoreContractTest, RecordFailedRun) {
  RunRecord failed;
  failed.source = "unfccc";
  failed.started = kT0;
  failed.finished = kT0 + 10;
  failed.status = "failed";
  failed.error = "HTTP 503 from https://example.org/feed";
  failed.counts.fetched = 7;
  auto id = store().RecordFailedRun(failed);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunRecord aborted = failed;
  aborted.status = "aborted";
  aborted.error = "guard tripped: 90% of the records would be deleted";
  auto id2 = store().RecordFailedRun(aborted);
  ASSERT_TRUE(id2.ok());
  EXPECT_GT(*id2, *id);

  auto view = View(store());
  auto run = view->Run(*id);
  ASSERT_TRUE(run->has_value());
  EXPECT_EQ((*run)->status, "failed");
  EXPECT_EQ((*run)->error, failed.error);
  EXPECT_EQ((*run)->source, "unfccc");
  EXPECT_EQ((*run)->counts.fetched, 7);
  auto runs = view->Runs("unfccc", 10);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, *id2);  // newest first
  EXPECT_EQ((*runs)[0].status, "aborted");
  EXPECT_EQ(*view->MaxSeq(), 0);
  EXPECT_FALSE(view->Watermark("unfccc")->has_value());
}

TEST_P(StoreContractTest, RunsNewestFirstPerSource) {
  CommitRun(store(), "a", {}, kT0);
  CommitRun(store(), "b", {}, kT0 + 1);
  CommitRun(store(), "a", {}, kT0 + 2);
  auto view = View(store());
  auto all = view->Runs("", 10);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].started, kT0 + 2);
  EXPECT_EQ((*all)[2].started, kT0);
  auto a = view->Runs("a", 10);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].started, kT0 + 2);
  EXPECT_EQ(view->Runs("a", 1)->size(), 1u);
  EXPECT_TRUE(view->Runs("c", 10)->empty());
}

TEST_P(StoreContractTest, ReadViewKeepsItsSnapshot) {
  CommitRun(store(), "s", {Contact("a", "FR", {}, "A")}, kT0);
  auto before = View(store());
  {
    auto w = store().BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Upsert(Contact("a", "FR", {}, "A2")).ok());
    ASSERT_TRUE((*w)->Upsert(Contact("b", "FR", {}, "B")).ok());
    ASSERT_TRUE((*w)->SetWatermark("w").ok());
    // A view opened while the run is open sees the previous state too.
    auto during = View(store());
    EXPECT_EQ(*during->Count(Q(Contacts())), 1);
    ASSERT_TRUE((*w)->Commit({}).ok());
    EXPECT_EQ(*during->Count(Q(Contacts())), 1);
  }
  EXPECT_EQ(*before->MaxSeq(), 1);
  EXPECT_EQ(*before->Count(Q(Contacts())), 1);
  EXPECT_EQ(std::get<std::string>(*(*before->Get(Contacts(), "a"))->Find("firstName")), "A");
  EXPECT_FALSE(before->Watermark("s")->has_value());
  EXPECT_EQ(before->Runs("", 10)->size(), 1u);
  int changes = 0;
  ASSERT_TRUE(before
                  ->ScanChanges(nullptr, 0, -1,
                                [&](const Change&) {
                                  ++changes;
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(changes, 1);

  auto after = View(store());
  EXPECT_EQ(*after->MaxSeq(), 3);
  EXPECT_EQ(*after->Count(Q(Contacts())), 2);
  EXPECT_EQ(**after->Watermark("s"), "w");
}

// Two runs of one source: every backend makes the second wait (SQLite has one writer,
// PostgreSQL one run per source at a time). The test waits for the second to be blocked
// (StoreHarness::WaitsToBeginARun), then commits the first: a second BeginRun that returned
// before that commit began fails the test.
TEST_P(StoreContractTest, SecondBeginRunWaitsForTheFirst) {
  auto first = store().BeginRun("one", kT0, false);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Upsert(Contact("a", "FR", {}, "A")).ok());
  std::atomic<int> second_tid{0};
  std::atomic<bool> second_returned{false};
  std::atomic<bool> first_committing{false};
  bool returned_while_first_open = false;
  Status second_status;
  std::thread other([&] {
    second_tid = static_cast<int>(gettid());
    auto second = store().BeginRun("one", kT0 + 1, false);
    returned_while_first_open = !first_committing.load();
    second_returned = true;
    if (!second.ok()) {
      second_status = second.status();
      return;
    }
    auto o = (*second)->Upsert(Contact("b", "FR", {}, "B"));
    if (!o.ok()) {
      second_status = o.status();
      return;
    }
    second_status = (*second)->Commit({});
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!second_returned && std::chrono::steady_clock::now() < deadline &&
         (second_tid == 0 || !harness().WaitsToBeginARun(second_tid))) {
    std::this_thread::yield();
  }
  first_committing = true;
  ASSERT_TRUE((*first)->Commit({}).ok());
  first->reset();
  other.join();
  EXPECT_FALSE(returned_while_first_open) << "the second BeginRun did not wait for the first run";
  ASSERT_TRUE(second_status.ok()) << second_status.ToString();
  auto view = View(store());
  EXPECT_TRUE(view->Get(Contacts(), "a")->has_value());
  EXPECT_TRUE(view->Get(Contacts(), "b")->has_value());
  EXPECT_EQ(*view->MaxSeq(), 2);
  EXPECT_EQ(SeqOf(store(), Contacts(), "a"), 1);
  EXPECT_EQ(SeqOf(store(), Contacts(), "b"), 2);
}

TEST_P(StoreContractTest, RunTimesComeFromTheStoresClock) {
  core::ManualClock clock(kT0 + 5000);
  auto timed = harness().Open(5000, clock);
  ASSERT_TRUE(timed.ok()) << timed.status().ToString();
  auto w = (*timed)->BeginRun("s", kT0, false);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Commit({}).ok());
  w->reset();
  clock.Advance(1000);
  RunRecord failed;
  failed.source = "s";
  failed.started = kT0 + 5500;
  failed.error = "unreachable";
  ASSERT_TRUE((*timed)->RecordFailedRun(failed).ok());
  auto runs = View(store())->Runs("s", 10);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 2u);
  std::set<core::EpochMs> finished;
  for (const RunRecord& r : *runs) finished.insert(r.finished);
  EXPECT_EQ(finished, (std::set<core::EpochMs>{kT0 + 5000, kT0 + 6000}));
}

// --- ownership (store.h, docs/store.md "Ownership") ------------------------------------------

std::string SourceOf(Store& store, const EntitySpec& e, const std::string& id) {
  auto view = View(store);
  auto r = view->Get(e, id);
  EXPECT_TRUE(r.ok() && r->has_value()) << id;
  return r.ok() && r->has_value() ? (*r)->provenance.source : "";
}

TEST_P(StoreContractTest, AnotherSourcesLiveRecordIsRefusedAndLeftAlone) {
  CommitRun(store(), "one", {Contact("x", "FR", {}, "X"), Contact("y", "FR", {}, "Y")}, kT0);
  auto w = store().BeginRun("two", kT0 + 1, true);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto changed = (*w)->Upsert(Contact("x", "DE", {}, "Changed"));
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, UpsertOutcome::kOwnedByOther);
  EXPECT_EQ((*w)->refused_owner(), "one");
  // The same content is refused too: it is not this source's record.
  auto same = (*w)->Upsert(Contact("y", "FR", {}, "Y"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, UpsertOutcome::kOwnedByOther);
  auto gone = (*w)->Delete(Contacts(), "y");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(*gone) << "another source's record is not deleted";
  EXPECT_EQ(*(*w)->Upsert(Contact("z", "FR", {}, "Z")), UpsertOutcome::kCreated);
  ASSERT_TRUE((*w)->Commit({}).ok());
  w->reset();
  auto view = View(store());
  auto x = view->Get(Contacts(), "x");
  ASSERT_TRUE(x.ok() && x->has_value());
  EXPECT_EQ((*x)->Get(static_cast<size_t>(Field(Contacts(), "country"))), S("FR"));
  EXPECT_EQ((*x)->provenance.source, "one");
  EXPECT_TRUE(view->Get(Contacts(), "y")->has_value());
  EXPECT_EQ(SourceOf(store(), Contacts(), "z"), "two");
  // The owner itself still updates its record.
  auto own = store().BeginRun("one", kT0 + 2, false);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(*(*own)->Upsert(Contact("x", "IT", {}, "X")), UpsertOutcome::kUpdated);
}

TEST_P(StoreContractTest, SharingSourcesOverwriteEachOther) {
  CommitRun(store(), "one", {Contact("x", "FR", {}, "X")}, kT0);
  {
    auto w = store().BeginRun("two", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    (*w)->ShareWith({"three", "one"});
    EXPECT_EQ(*(*w)->Upsert(Contact("x", "DE", {}, "X")), UpsertOutcome::kUpdated);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(SourceOf(store(), Contacts(), "x"), "two");
  // Now it is two's: one, not sharing, is refused; and it no longer lists it as its own.
  auto w = store().BeginRun("one", kT0 + 2, false);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE((*w)->LiveIds(Contacts())->empty());
  EXPECT_EQ(*(*w)->Upsert(Contact("x", "FR", {}, "X")), UpsertOutcome::kOwnedByOther);
  EXPECT_EQ((*w)->refused_owner(), "two");
  (*w)->ShareWith({"two"});
  EXPECT_EQ(*(*w)->Upsert(Contact("x", "FR", {}, "X")), UpsertOutcome::kUpdated);
  EXPECT_TRUE(*(*w)->Delete(Contacts(), "x"));
}

TEST_P(StoreContractTest, ATombstoneBelongsToNobody) {
  CommitRun(store(), "one", {Contact("x", "FR", {}, "X")}, kT0);
  {
    auto w = store().BeginRun("one", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(*(*w)->Delete(Contacts(), "x"));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  auto w = store().BeginRun("two", kT0 + 2, false);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*(*w)->Upsert(Contact("x", "FR", {}, "X")), UpsertOutcome::kCreated);
  ASSERT_TRUE((*w)->Commit({}).ok());
  w->reset();
  EXPECT_EQ(SourceOf(store(), Contacts(), "x"), "two");
}

TEST_P(StoreContractTest, ARecordAnotherSourceCommitsMeanwhileFailsTheCommit) {
  auto short_wait = harness().Open(200);
  ASSERT_TRUE(short_wait.ok()) << short_wait.status().ToString();
  auto first = (*short_wait)->BeginRun("one", kT0, false);
  ASSERT_TRUE(first.ok());
  auto second = (*short_wait)->BeginRun("two", kT0 + 1, false);
  if (!second.ok()) {
    // One writer at a time (SQLite): the Upsert check runs inside the only write
    // transaction, which the other tests cover.
    GTEST_SKIP() << GetParam().name << " runs one writer at a time";
  }
  EXPECT_EQ(*(*first)->Upsert(Contact("x", "FR", {}, "One")), UpsertOutcome::kCreated);
  EXPECT_EQ(*(*second)->Upsert(Contact("x", "DE", {}, "Two")), UpsertOutcome::kCreated);
  EXPECT_EQ(*(*second)->Upsert(Contact("y", "DE", {}, "Two")), UpsertOutcome::kCreated);
  ASSERT_TRUE((*first)->Commit({}).ok());
  Status s = (*second)->Commit({});
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("Contacts \"x\": source 'one' committed it while run"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("owned-by-other-source"), std::string::npos) << s.message();
  first->reset();
  second->reset();
  auto view = View(store());
  EXPECT_EQ(SourceOf(store(), Contacts(), "x"), "one");
  EXPECT_FALSE(view->Get(Contacts(), "y")->has_value()) << "nothing of the failed run is kept";
}

TEST_P(StoreContractTest, SecondBeginRunGivesUpCleanly) {
  auto short_wait = harness().Open(200);
  ASSERT_TRUE(short_wait.ok()) << short_wait.status().ToString();
  auto first = (*short_wait)->BeginRun("one", kT0, false);
  ASSERT_TRUE(first.ok());
  auto start = std::chrono::steady_clock::now();
  auto second = (*short_wait)->BeginRun("one", kT0 + 1, false);
  auto waited = std::chrono::steady_clock::now() - start;
  if (second.ok()) GTEST_SKIP() << GetParam().name << " runs writers side by side";
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable) << second.status().ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(5));
  // The first run is unharmed and commits; the store then takes a new run.
  ASSERT_TRUE((*first)->Upsert(Contact("a", "FR", {}, "A")).ok());
  ASSERT_TRUE((*first)->Commit({}).ok());
  first->reset();
  auto third = (*short_wait)->BeginRun("one", kT0 + 2, false);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
}

TEST_P(StoreContractTest, Info) {
  CommitRun(store(), "s", {Contact("a", "FR", {}, "A"), Contact("b", "FR", {}, "B")}, kT0);
  {
    auto w = store().BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(*(*w)->Delete(Contacts(), "b"));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  auto info = store().Info();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->backend.empty());
  EXPECT_FALSE(info->location.empty());
  EXPECT_GE(info->schema_version, 1);
  EXPECT_EQ(info->max_seq, 3);
  EXPECT_EQ(info->tombstones, 1);
  EXPECT_EQ(info->runs, 2);
  ASSERT_EQ(info->live_records.size(), Reg().entities().size());
  for (const auto& [entity, n] : info->live_records) {
    EXPECT_EQ(n, entity == "Contacts" ? 1 : 0) << entity;
  }
}

TEST_P(StoreContractTest, RejectsRecordsOfTheWrongShape) {
  auto w = store().BeginRun("s", kT0, false);
  ASSERT_TRUE(w.ok());
  Record no_id(Contacts());
  EXPECT_EQ((*w)->Upsert(no_id).status().code(), Status::Code::kInvalidArgument);
  Record wrong_type = Contact("x", "FR", {}, "X");
  wrong_type.Set("primary", S("yes"));
  auto o = (*w)->Upsert(wrong_type);
  EXPECT_EQ(o.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(o.status().message().find("primary"), std::string::npos) << o.status().message();
  // The run goes on after a refused record.
  EXPECT_EQ(*(*w)->Upsert(Contact("y", "FR", {}, "Y")), UpsertOutcome::kCreated);
  ASSERT_TRUE((*w)->Commit({}).ok());
}

// --- change visibility across concurrent writers -------------------------------------------------

// Delta links read "changes with seq > S" where S is the MaxSeq a reader saw. With several
// writers (nodes) committing runs at once, a change must never become visible with a number at
// or below one a reader has already seen. Every record here is new, so the numbers have no gaps:
// each view must show exactly the changes (previous MaxSeq, its MaxSeq].
TEST_P(StoreContractTest, ConcurrentWritersNeverHideAChangeFromADeltaReader) {
  // Enough commits to overlap many times: a mutation that releases the sequence lock one round
  // trip before COMMIT was caught in every repetition.
  constexpr int kWriters = 3;
  constexpr int kRuns = 30;
  std::atomic<int> running{kWriters};
  std::mutex mu;
  std::vector<std::string> problems;  // guarded by mu
  std::set<std::string> written;      // guarded by mu
  auto problem = [&](std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    if (problems.size() < 10) problems.push_back(std::move(what));
  };
  std::atomic<bool> reading{false};  // writers start once the reader has its first view
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto node = harness().Open(30000);  // a store of its own: another node
      while (!reading.load()) std::this_thread::yield();
      if (!node.ok()) {
        problem("writer open: " + node.status().ToString());
        --running;
        return;
      }
      for (int run = 0; run < kRuns; ++run) {
        auto writer = (*node)->BeginRun("writer-" + std::to_string(w), kT0 + run, false);
        if (!writer.ok()) {
          problem("begin: " + writer.status().ToString());
          break;
        }
        std::vector<std::string> ids;
        for (int k = 0; k < 1 + (run * 7 + w * 3) % 13; ++k) {
          std::string id =
              "w" + std::to_string(w) + "-" + std::to_string(run) + "-" + std::to_string(k);
          auto o = (*writer)->Upsert(Contact(id, "FR", {"cbd"}, "N"));
          if (!o.ok()) problem("upsert: " + o.status().ToString());
          ids.push_back(id);
        }
        Status c = (*writer)->Commit({});
        if (!c.ok()) {
          problem("commit: " + c.ToString());
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        written.insert(ids.begin(), ids.end());
      }
      --running;
    });
  }
  // Failures are recorded, never returned from, so that the writers are always joined.
  auto reader = harness().Open(30000);
  if (!reader.ok()) problem("reader open: " + reader.status().ToString());
  std::set<std::string> seen;
  int64_t previous = 0;
  int views = 0;
  for (bool last = !reader.ok(); !last;) {
    last = running.load() == 0;  // one more view after the writers are done
    auto view = (*reader)->Read();
    if (!view.ok()) {
      problem("read: " + view.status().ToString());
      break;
    }
    int64_t max_seq = *(*view)->MaxSeq();
    int64_t expect = previous + 1;
    Status s = (*view)->ScanChanges(nullptr, previous, -1, [&](const Change& c) {
      if (c.seq != expect) {
        problem("after MaxSeq " + std::to_string(previous) + " a view with MaxSeq " +
                std::to_string(max_seq) + " shows seq " + std::to_string(c.seq) + " where " +
                std::to_string(expect) + " was due");
      }
      expect = c.seq + 1;
      seen.insert(c.id);
      return Status::Ok();
    });
    if (!s.ok()) {
      problem("scan: " + s.ToString());
      break;
    }
    if (expect != max_seq + 1) {
      problem("a view with MaxSeq " + std::to_string(max_seq) + " showed changes up to " +
              std::to_string(expect - 1));
    }
    previous = max_seq;
    ++views;
    reading = true;
  }
  reading = true;
  for (std::thread& t : writers) t.join();
  for (const std::string& p : problems) ADD_FAILURE() << p;
  EXPECT_EQ(seen, written) << "the reader missed changes";
  RecordProperty("views", views);
}

// --- source leases ------------------------------------------------------------------------------

TEST_P(StoreContractTest, LeaseIsExclusiveWhileHeldAndEndsWithItsHolder) {
  auto a = store().TryLeaseSource("cbd-contacts", "node-a", 60000);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_NE(*a, nullptr);
  EXPECT_EQ((*a)->source(), "cbd-contacts");
  EXPECT_EQ((*a)->node_id(), "node-a");
  // Nobody else gets it: not through this store, not through another one (another node).
  auto b = store().TryLeaseSource("cbd-contacts", "node-b", 60000);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, nullptr);
  auto other = harness().Open(5000);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto c = (*other)->TryLeaseSource("cbd-contacts", "node-c", 60000);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, nullptr);
  // Other sources are free, and the holder renews.
  auto d = (*other)->TryLeaseSource("cms-contacts", "node-c", 60000);
  ASSERT_TRUE(d.ok() && *d) << d.status().ToString();
  EXPECT_TRUE((*a)->Renew().ok());
  // Released on destruction: the next holder takes it at once.
  a->reset();
  auto e = (*other)->TryLeaseSource("cbd-contacts", "node-c", 60000);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_NE(*e, nullptr);
  // Names that need care in a file name or a lock key.
  auto odd = store().TryLeaseSource("../x y/é", "node-a", 60000);
  ASSERT_TRUE(odd.ok() && *odd) << odd.status().ToString();
  EXPECT_EQ(*(*other)->TryLeaseSource("../x y/é", "node-c", 60000), nullptr);

  EXPECT_EQ(store().TryLeaseSource("", "node-a", 60000).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(store().TryLeaseSource("s", "node-a", 10).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_P(StoreContractTest, LeaseRenewedTooLateIsLost) {
  // The holder's deadline follows the store's clock: renewing exactly at the ttl keeps the
  // lease, a millisecond later loses it. (A long ttl: PostgreSQL's server-side
  // idle_session_timeout keeps real time and must not end the session meanwhile.)
  core::ManualClock clock(kT0);
  auto timed = harness().Open(5000, clock);
  ASSERT_TRUE(timed.ok()) << timed.status().ToString();
  auto a = (*timed)->TryLeaseSource("slow", "node-a", 60000);
  ASSERT_TRUE(a.ok() && *a) << a.status().ToString();
  clock.Advance(60000);
  EXPECT_TRUE((*a)->Renew().ok()) << "renewed at the ttl, not after it";
  clock.Advance(60001);
  Status late = (*a)->Renew();
  EXPECT_EQ(late.code(), Status::Code::kFailedPrecondition) << late.ToString();
  EXPECT_NE(late.message().find("slow"), std::string::npos) << late.message();
  EXPECT_FALSE((*a)->Renew().ok());  // lost for good
  auto b = store().TryLeaseSource("slow", "node-b", 60000);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE(*b, nullptr);
}

// A child process (tests/helpers/store_lease_child.cc) takes the lease and is killed with
// SIGKILL: the lease ends with it, and another holder takes the source.
TEST_P(StoreContractTest, LeaseOfAKilledHolderIsTakenOver) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  std::string helper = meabridge::testing::HelperPath("store_lease_child");
  std::string location = harness().Location();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(helper.c_str(), helper.c_str(), location.c_str(), "unfccc", "node-child", "60000",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // Wait for the child's "held".
  std::string said;
  pollfd p{out[0], POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (said.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    if (poll(&p, 1, 100) > 0) {
      char buf[256];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      said.append(buf, static_cast<size_t>(n));
    }
  }
  close(out[0]);
  EXPECT_EQ(said, "held\n") << "the child said " << said;
  auto while_held = store().TryLeaseSource("unfccc", "node-parent", 60000);
  ASSERT_TRUE(while_held.ok()) << while_held.status().ToString();
  EXPECT_EQ(*while_held, nullptr);
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended by itself: see its message above";
  // The backend notices the dead holder at once (a closed file, a closed connection): allow the
  // server a moment to end the session.
  auto killed = std::chrono::steady_clock::now();
  std::unique_ptr<SourceLease> taken;
  while (!taken && std::chrono::steady_clock::now() - killed < std::chrono::seconds(10)) {
    auto t = store().TryLeaseSource("unfccc", "node-parent", 60000);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    taken = std::move(*t);
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(taken, nullptr) << "the killed holder's lease was not released within 10 s";
  std::printf("[ lease    ] %s: taken over %lld ms after the holder was killed\n",
              GetParam().name.c_str(),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - killed)
                                         .count()));
}

// --- queries ------------------------------------------------------------------------------------

class QueryTest : public StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (HasFatalFailure()) return;
    std::vector<Record> records;
    auto contact = [&](const char* id, const char* country, std::vector<std::string> treaties,
                       const char* first, const char* last, std::optional<bool> primary,
                       const char* updated) {
      Record r = Contact(id, country, std::move(treaties), first);
      if (*last) r.Set("lastName", S(last));
      if (primary) r.Set("primary", B(*primary));
      if (*updated) r.Set("updated", Time(updated));
      return r;
    };
    Record c1 = contact("c1", "FR", {"cbd", "cms"}, "Anne", "Martin", true, "2020-01-01T00:00:00Z");
    c1.Set("roles", Items({{{"treaty", "cbd"}, {"role", "NFP"}}}));
    c1.Set("email", S("anne@example.org"));
    Record c2 = contact("c2", "DE", {"cbd"}, "bernd", "Müller", false, "2021-06-01T00:00:00Z");
    c2.Set("roles", Items({{{"treaty", "cms"}, {"role", "Scientific"}}, {{"role", "NFP"}}}));
    Record c3 = contact("c3", "FR", {"ramsar"}, "Claire", "", std::nullopt, "");
    Record c4 = contact("c4", "", {"cms", "ramsar"}, "D'Arcy", "O'Brien", true, "");
    c4.Set("position", S("100%_sure"));
    Record c5 = contact("c5", "BR", {"cites"}, "Éva", "Anne", std::nullopt, "");
    c5.Set("institution", S("Ministry of Environment"));
    Record c6 = contact("c6", "DE", {"cbd", "cites"}, "", "Zed", std::nullopt, "");
    records = {c1, c2, c3, c4, c5, c6};

    Record cbd(Treaties());
    cbd.set_id("cbd");
    cbd.Set("title", Ml({{"en", "Convention on Biological Diversity"},
                         {"fr", "Convention sur la diversité biologique"}}));
    cbd.Set("entryIntoForce", Date(1993, 12, 29));
    Record cms(Treaties());
    cms.set_id("cms");
    cms.Set("title", Ml({{"en", "Convention on Migratory Species"}}));
    cms.Set("entryIntoForce", Date(1983, 11, 1));
    Record ramsar(Treaties());
    ramsar.set_id("ramsar");
    ramsar.Set("title", Ml({{"en", "Ramsar Convention"}, {"es", "Convención de Ramsar"}}));
    ramsar.Set("entryIntoForce", Date(1975, 12, 21));
    records.insert(records.end(), {cbd, cms, ramsar});

    Record d1(Decisions());
    d1.set_id("d1");
    d1.Set("treaty", S("cbd"));
    d1.Set("title", Ml({{"en", "Decision 1"}}));
    d1.Set("displayOrder", I(3));
    d1.Set("published", Time("2020-05-01T10:00:00Z"));
    d1.Set("files",
           Items({{{"url", "http://x/a.pdf"}, {"language", "en"}, {"mimeType", "application/pdf"}},
                  {{"url", "http://x/b.doc"}, {"language", "fr"}}}));
    d1.Set("keywords", Items({{{"term", "http://www.informea.org/terms/biodiversity"},
                               {"label", "biodiversity"}}}));
    Record d2(Decisions());
    d2.set_id("d2");
    d2.Set("treaty", S("cms"));
    d2.Set("title", Ml({{"en", "Decision 2"}}));
    d2.Set("displayOrder", I(1));
    d2.Set("published", Time("2019-01-01T00:00:00Z"));
    d2.Set("files", Items({{{"url", "http://x/c.pdf"}, {"language", "es"}}}));
    Record d3(Decisions());
    d3.set_id("d3");
    d3.Set("treaty", S("cbd"));
    d3.Set("title", Ml({{"en", "Decision 3"}, {"fr", "Décision 3"}}));
    records.insert(records.end(), {d1, d2, d3});

    Record m1(Meetings());
    m1.set_id("m1");
    m1.Set("treaty", S("cbd"));
    m1.Set("title", Ml({{"en", "COP15"}}));
    m1.Set("latitude", Dbl(45.5));
    m1.Set("virtual", B(false));
    m1.Set("start", Time("2022-12-07T00:00:00Z"));
    Record m2(Meetings());
    m2.set_id("m2");
    m2.Set("treaty", S("cms"));
    m2.Set("title", Ml({{"en", "COP14"}}));
    m2.Set("latitude", Dbl(-33.9));
    m2.Set("virtual", B(true));
    Record m3(Meetings());
    m3.set_id("m3");
    m3.Set("treaty", S("cms"));
    m3.Set("title", Ml({{"en", "Webinar"}}));
    records.insert(records.end(), {m1, m2, m3});

    auto membership = [&](const char* id, const char* treaty, const char* country,
                          Value signature) {
      Record r(Memberships());
      r.set_id(id);
      r.Set("treaty", S(treaty));
      r.Set("country", S(country));
      r.Set("status", S("ratification"));
      r.Set("signature", std::move(signature));
      return r;
    };
    records.push_back(membership("cbd:FR", "cbd", "FR", Date(1992, 6, 13)));
    records.push_back(membership("cbd:DE", "cbd", "DE", Date(1992, 6, 12)));
    records.push_back(membership("cms:FR", "cms", "FR", Value()));
    CommitRun(store(), "fx", records, kT0);
  }
};

struct FilterCase {
  std::string name;
  const EntitySpec& (*entity)();
  std::function<E()> filter;
  std::vector<std::string> ids;
};

TEST_P(QueryTest, EveryExprKind) {
  const EntitySpec& C = Contacts();
  const EntitySpec& T = Treaties();
  const EntitySpec& D = Decisions();
  const EntitySpec& M = Meetings();
  const EntitySpec& MS = Memberships();
  int treaties = Field(C, "treaties");
  int roles = Field(C, "roles");
  int first = Field(C, "firstName");
  int last = Field(C, "lastName");
  int files = Field(D, "files");
  int keywords = Field(D, "keywords");
  int title = Field(T, "title");
  const std::vector<FilterCase> cases = {
      {"eq", Contacts, [&] { return Cmp(C, "country", Op::kEq, S("FR")); }, {"c1", "c3"}},
      {"ne includes no value",
       Contacts,
       [&] { return Cmp(C, "country", Op::kNe, S("FR")); },
       {"c2", "c4", "c5", "c6"}},
      {"eq null", Contacts, [&] { return Cmp(C, "country", Op::kEq, Value()); }, {"c4"}},
      {"ne null",
       Contacts,
       [&] { return Cmp(C, "country", Op::kNe, Value()); },
       {"c1", "c2", "c3", "c5", "c6"}},
      {"not eq",
       Contacts,
       [&] { return Expr::Not(Cmp(C, "country", Op::kEq, S("FR"))); },
       {"c2", "c4", "c5", "c6"}},
      {"gt", Contacts, [&] { return Cmp(C, "country", Op::kGt, S("DE")); }, {"c1", "c3"}},
      {"ge",
       Contacts,
       [&] { return Cmp(C, "country", Op::kGe, S("DE")); },
       {"c1", "c2", "c3", "c6"}},
      {"lt", Contacts, [&] { return Cmp(C, "country", Op::kLt, S("DE")); }, {"c5"}},
      {"le", Contacts, [&] { return Cmp(C, "country", Op::kLe, S("DE")); }, {"c2", "c5", "c6"}},
      {"not gt is two-valued",
       Contacts,
       [&] { return Expr::Not(Cmp(C, "country", Op::kGt, S("DE"))); },
       {"c2", "c4", "c5", "c6"}},
      {"and",
       Contacts,
       [&] {
         return Expr::And(Cmp(C, "country", Op::kEq, S("DE")),
                          Cmp(C, "treaties", Op::kEq, S("cites")));
       },
       {"c6"}},
      {"or",
       Contacts,
       [&] {
         return Expr::Or(Cmp(C, "country", Op::kEq, S("BR")),
                         Cmp(C, "lastName", Op::kEq, S("Zed")));
       },
       {"c5", "c6"}},
      {"true", Contacts, [&] { return True(); }, {"c1", "c2", "c3", "c4", "c5", "c6"}},
      {"string list eq is membership",
       Contacts,
       [&] { return Cmp(C, "treaties", Op::kEq, S("cbd")); },
       {"c1", "c2", "c6"}},
      {"string list ne",
       Contacts,
       [&] { return Cmp(C, "treaties", Op::kNe, S("cbd")); },
       {"c3", "c4", "c5"}},
      {"any over strings",
       Contacts,
       [&] { return Any(treaties, Elem(Op::kEq, S("ramsar"))); },
       {"c3", "c4"}},
      {"any with or",
       Contacts,
       [&] { return Any(treaties, Expr::Or(Elem(Op::kEq, S("cms")), Elem(Op::kEq, S("cites")))); },
       {"c1", "c4", "c5", "c6"}},
      {"any without condition", Contacts, [&] { return Any(roles, nullptr); }, {"c1", "c2"}},
      {"any over items",
       Contacts,
       [&] { return Any(roles, ItemCmp("treaty", Op::kEq, S("cms"))); },
       {"c2"}},
      {"any over items, two fields",
       Contacts,
       [&] {
         return Any(roles, Expr::And(ItemCmp("role", Op::kEq, S("NFP")),
                                     ItemCmp("treaty", Op::kEq, S("cbd"))));
       },
       {"c1"}},
      {"any over items, missing item field",
       Contacts,
       [&] { return Any(roles, ItemCmp("treaty", Op::kEq, Value())); },
       {"c2"}},
      {"any mixing the record's fields",
       Contacts,
       [&] {
         return Any(treaties,
                    Expr::And(Elem(Op::kEq, S("cbd")), Cmp(C, "country", Op::kEq, S("DE"))));
       },
       {"c2", "c6"}},
      {"in",
       Contacts,
       [&] {
         return In(Field(C, "country"), {S("FR"), S("BR")});
       },
       {"c1", "c3", "c5"}},
      {"in empty", Contacts, [&] { return In(Field(C, "country"), {}); }, {}},
      {"in with null",
       Contacts,
       [&] {
         return In(Field(C, "country"), {S("BR"), Value()});
       },
       {"c4", "c5"}},
      {"in over a string list",
       Contacts,
       [&] {
         return In(treaties, {S("cites"), S("ramsar")});
       },
       {"c3", "c4", "c5", "c6"}},
      {"contains",
       Contacts,
       [&] { return Text(Expr::Kind::kContains, first, "e"); },
       {"c1", "c2", "c3"}},
      {"contains is case-sensitive",
       Contacts,
       [&] { return Text(Expr::Kind::kContains, first, "A"); },
       {"c1", "c4"}},
      {"contains empty",
       Contacts,
       [&] { return Text(Expr::Kind::kContains, first, ""); },
       {"c1", "c2", "c3", "c4", "c5"}},
      {"contains % and _ literally",
       Contacts,
       [&] { return Text(Expr::Kind::kContains, Field(C, "position"), "%_"); },
       {"c4"}},
      {"contains _ is no wildcard",
       Contacts,
       [&] { return Text(Expr::Kind::kContains, first, "_"); },
       {}},
      {"contains %", Contacts, [&] { return Text(Expr::Kind::kContains, first, "%"); }, {}},
      {"contains quote", Contacts, [&] { return Text(Expr::Kind::kContains, first, "'"); }, {"c4"}},
      {"startswith", Contacts, [&] { return Text(Expr::Kind::kStartsWith, first, "b"); }, {"c2"}},
      {"startswith case-sensitive",
       Contacts,
       [&] { return Text(Expr::Kind::kStartsWith, first, "B"); },
       {}},
      {"startswith utf-8",
       Contacts,
       [&] { return Text(Expr::Kind::kStartsWith, last, "Mü"); },
       {"c2"}},
      {"startswith whole",
       Contacts,
       [&] { return Text(Expr::Kind::kStartsWith, first, "Anne"); },
       {"c1"}},
      {"endswith", Contacts, [&] { return Text(Expr::Kind::kEndsWith, first, "e"); }, {"c1", "c3"}},
      {"endswith utf-8",
       Contacts,
       [&] { return Text(Expr::Kind::kEndsWith, last, "üller"); },
       {"c2"}},
      {"endswith longer than the value",
       Contacts,
       [&] { return Text(Expr::Kind::kEndsWith, first, "xAnne"); },
       {}},
      {"endswith empty",
       Contacts,
       [&] { return Text(Expr::Kind::kEndsWith, last, ""); },
       {"c1", "c2", "c4", "c5", "c6"}},
      {"startswith inside any",
       Contacts,
       [&] { return Any(treaties, Text(Expr::Kind::kStartsWith, Expr::kElement, "ci")); },
       {"c5", "c6"}},
      {"injection attempt is a literal",
       Contacts,
       [&] { return Cmp(C, "firstName", Op::kEq, S("x'); DROP TABLE e_contacts; --")); },
       {}},
      {"bool eq", Contacts, [&] { return Cmp(C, "primary", Op::kEq, B(true)); }, {"c1", "c4"}},
      {"bool eq false", Contacts, [&] { return Cmp(C, "primary", Op::kEq, B(false)); }, {"c2"}},
      {"bool ne",
       Contacts,
       [&] { return Cmp(C, "primary", Op::kNe, B(true)); },
       {"c2", "c3", "c5", "c6"}},
      {"datetime gt",
       Contacts,
       [&] { return Cmp(C, "updated", Op::kGt, Time("2020-06-01T00:00:00Z")); },
       {"c2", "c3", "c4", "c5", "c6"}},
      {"datetime from a string",
       Contacts,
       [&] { return Cmp(C, "updated", Op::kLt, S("2021-01-01T00:00:00+01:00")); },
       {"c1"}},
      {"datetime from a date",
       Contacts,
       [&] { return Cmp(C, "updated", Op::kGe, Date(2021, 6, 1)); },
       {"c2", "c3", "c4", "c5", "c6"}},
      {"multilingual eq any language",
       Treaties,
       [&] { return Cmp(T, "title", Op::kEq, S("Convention sur la diversité biologique")); },
       {"cbd"}},
      {"multilingual eq",
       Treaties,
       [&] { return Cmp(T, "title", Op::kEq, S("Ramsar Convention")); },
       {"ramsar"}},
      {"multilingual ne",
       Treaties,
       [&] { return Cmp(T, "title", Op::kNe, S("Convention on Migratory Species")); },
       {"cbd", "ramsar"}},
      {"multilingual gt", Treaties, [&] { return Cmp(T, "title", Op::kGt, S("Q")); }, {"ramsar"}},
      {"multilingual contains",
       Treaties,
       [&] { return Text(Expr::Kind::kContains, title, "Convención"); },
       {"ramsar"}},
      {"multilingual startswith",
       Treaties,
       [&] { return Text(Expr::Kind::kStartsWith, title, "Convention on"); },
       {"cbd", "cms"}},
      {"multilingual in",
       Treaties,
       [&] {
         return In(title, {S("Ramsar Convention"), S("Convention on Migratory Species")});
       },
       {"cms", "ramsar"}},
      {"date lt",
       Treaties,
       [&] { return Cmp(T, "entryIntoForce", Op::kLt, Date(1990, 1, 1)); },
       {"cms", "ramsar"}},
      {"date from a string",
       Treaties,
       [&] { return Cmp(T, "entryIntoForce", Op::kEq, S("1993-12-29")); },
       {"cbd"}},
      {"date from a midnight datetime",
       Treaties,
       [&] { return Cmp(T, "entryIntoForce", Op::kEq, Time("1993-12-29T00:00:00Z")); },
       {"cbd"}},
      {"int gt", Decisions, [&] { return Cmp(D, "displayOrder", Op::kGt, I(1)); }, {"d1"}},
      {"int against a double",
       Decisions,
       [&] { return Cmp(D, "displayOrder", Op::kGe, Dbl(1.5)); },
       {"d1"}},
      {"int eq null", Decisions, [&] { return Cmp(D, "displayOrder", Op::kEq, Value()); }, {"d3"}},
      {"int in",
       Decisions,
       [&] {
         return In(Field(D, "displayOrder"), {I(1), I(2)});
       },
       {"d2"}},
      {"item list eq null", Decisions, [&] { return Cmp(D, "files", Op::kEq, Value()); }, {"d3"}},
      {"item list ne null",
       Decisions,
       [&] { return Cmp(D, "files", Op::kNe, Value()); },
       {"d1", "d2"}},
      {"any over files",
       Decisions,
       [&] { return Any(files, ItemCmp("language", Op::kEq, S("fr"))); },
       {"d1"}},
      {"endswith inside any over items",
       Decisions,
       [&] { return Any(files, Text(Expr::Kind::kEndsWith, Expr::kElement, ".pdf", "url")); },
       {"d1", "d2"}},
      {"contains inside any over keywords",
       Decisions,
       [&] { return Any(keywords, Text(Expr::Kind::kContains, Expr::kElement, "bio", "label")); },
       {"d1"}},
      {"not any",
       Decisions,
       [&] { return Expr::Not(Any(files, ItemCmp("language", Op::kEq, S("es")))); },
       {"d1", "d3"}},
      {"published from a date",
       Decisions,
       [&] { return Cmp(D, "published", Op::kGe, Date(2020, 1, 1)); },
       {"d1"}},
      {"published lt",
       Decisions,
       [&] { return Cmp(D, "published", Op::kLt, S("2020-01-01T00:00:00Z")); },
       {"d2"}},
      {"double gt an int", Meetings, [&] { return Cmp(M, "latitude", Op::kGt, I(0)); }, {"m1"}},
      {"double lt", Meetings, [&] { return Cmp(M, "latitude", Op::kLt, Dbl(0.0)); }, {"m2"}},
      {"bool", Meetings, [&] { return Cmp(M, "virtual", Op::kEq, B(true)); }, {"m2"}},
      {"bool ne with null",
       Meetings,
       [&] { return Cmp(M, "virtual", Op::kNe, B(true)); },
       {"m1", "m3"}},
      {"date lt on memberships",
       Memberships,
       [&] { return Cmp(MS, "signature", Op::kLt, S("1992-06-13")); },
       {"cbd:DE"}},
      {"date eq null",
       Memberships,
       [&] { return Cmp(MS, "signature", Op::kEq, Value()); },
       {"cms:FR"}},
  };
  auto view = View(store());
  for (const FilterCase& c : cases) {
    SCOPED_TRACE(c.name);
    Query q = Q(c.entity(), c.filter());
    EXPECT_EQ(Ids(*view, q), c.ids);
    auto n = view->Count(q);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, static_cast<int64_t>(c.ids.size()));
  }
  // The injection attempt left the table alone.
  EXPECT_EQ(*view->Count(Q(C)), 6);
}

struct BadCase {
  std::string name;
  std::function<Query()> query;
  std::string names;  // what the message must mention
};

TEST_P(QueryTest, BadQueriesAreInvalidArgumentNamingTheField) {
  const EntitySpec& C = Contacts();
  const EntitySpec& D = Decisions();
  const EntitySpec& T = Treaties();
  int roles = Field(C, "roles");
  const std::vector<BadCase> cases = {
      {"string against int", [&] { return Q(C, Cmp(C, "country", Op::kEq, I(42))); }, "country"},
      {"int against string", [&] { return Q(D, Cmp(D, "displayOrder", Op::kEq, S("abc"))); },
       "displayOrder"},
      {"bool against string", [&] { return Q(C, Cmp(C, "primary", Op::kEq, S("yes"))); },
       "primary"},
      {"datetime against garbage", [&] { return Q(C, Cmp(C, "updated", Op::kGt, S("yesterday"))); },
       "updated"},
      {"date against a datetime with a time",
       [&] { return Q(T, Cmp(T, "entryIntoForce", Op::kEq, Time("1993-12-29T10:00:00Z"))); },
       "entryIntoForce"},
      {"list ordering op", [&] { return Q(C, Cmp(C, "treaties", Op::kGt, S("a"))); }, "treaties"},
      {"item list compared", [&] { return Q(C, Cmp(C, "roles", Op::kEq, S("x"))); }, "roles"},
      {"null with gt", [&] { return Q(C, Cmp(C, "country", Op::kGt, Value())); }, "country"},
      {"contains on bool",
       [&] { return Q(C, Text(Expr::Kind::kContains, Field(C, "primary"), "x")); }, "primary"},
      {"contains on a list",
       [&] { return Q(C, Text(Expr::Kind::kContains, Field(C, "treaties"), "x")); }, "treaties"},
      {"unknown field", [&] { return Q(C, Expr::Compare(999, Op::kEq, S("x"))); }, "999"},
      {"any over a scalar", [&] { return Q(C, Any(Field(C, "country"), Elem(Op::kEq, S("FR")))); },
       "country"},
      {"unknown item field", [&] { return Q(C, Any(roles, ItemCmp("nope", Op::kEq, S("x")))); },
       "nope"},
      {"item list element without item field",
       [&] { return Q(C, Any(roles, Elem(Op::kEq, S("x")))); }, "roles"},
      {"element outside any", [&] { return Q(C, Elem(Op::kEq, S("x"))); }, "any"},
      {"element of a string list against an int",
       [&] { return Q(C, Any(Field(C, "treaties"), Elem(Op::kEq, I(1)))); }, "treaties"},
      {"order by a list",
       [&] {
         Query q = Q(C);
         q.order_by = {{Field(C, "treaties"), false}};
         return q;
       },
       "treaties"},
      {"order by a multilingual field",
       [&] {
         Query q = Q(T);
         q.order_by = {{Field(T, "title"), false}};
         return q;
       },
       "title"},
      {"after of the wrong size",
       [&] {
         Query q = Q(C);
         q.order_by = {{Field(C, "country"), false}};
         q.after = {S("FR")};
         return q;
       },
       "Contacts"},
      {"after of the wrong type",
       [&] {
         Query q = Q(C);
         q.order_by = {{Field(C, "primary"), false}};
         q.after = {S("x"), S("c1")};
         return q;
       },
       "primary"},
  };
  auto view = View(store());
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    Query q = c.query();
    Status s = view->Scan(q, [](const Record&) { return Status::Ok(); });
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(c.names), std::string::npos) << s.message();
  }
  Query no_entity;
  EXPECT_EQ(view->Count(no_entity).status().code(), Status::Code::kInvalidArgument);
  // The view still works after refused queries.
  EXPECT_EQ(*view->Count(Q(C)), 6);
}

TEST_P(QueryTest, ScanStopsWithTheCallbacksStatus) {
  auto view = View(store());
  int n = 0;
  Status s = view->Scan(Q(Contacts()), [&](const Record&) {
    return ++n == 3 ? Status::Aborted("stop") : Status::Ok();
  });
  EXPECT_EQ(s.code(), Status::Code::kAborted);
  EXPECT_EQ(n, 3);
}

TEST_P(QueryTest, CountBy) {
  auto view = View(store());
  auto by_country = view->CountBy(Contacts(), Field(Contacts(), "country"));
  ASSERT_TRUE(by_country.ok()) << by_country.status().ToString();
  std::vector<std::pair<std::string, int64_t>> want = {{"BR", 1}, {"DE", 2}, {"FR", 2}};
  EXPECT_EQ(*by_country, want);
  auto by_treaty = view->CountBy(Contacts(), Field(Contacts(), "treaties"));
  ASSERT_TRUE(by_treaty.ok()) << by_treaty.status().ToString();
  want = {{"cbd", 3}, {"cites", 2}, {"cms", 2}, {"ramsar", 2}};
  EXPECT_EQ(*by_treaty, want);
  auto by_primary = view->CountBy(Contacts(), Field(Contacts(), "primary"));
  ASSERT_TRUE(by_primary.ok());
  want = {{"false", 1}, {"true", 2}};
  EXPECT_EQ(*by_primary, want);
  auto bad = view->CountBy(Treaties(), Field(Treaties(), "title"));
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("title"), std::string::npos);
}

TEST_P(QueryTest, OffsetAndLimit) {
  auto view = View(store());
  Query q = Q(Contacts());
  q.limit = 2;
  EXPECT_EQ(Ids(*view, q), (std::vector<std::string>{"c1", "c2"}));
  q.offset = 2;
  EXPECT_EQ(Ids(*view, q), (std::vector<std::string>{"c3", "c4"}));
  q.offset = 5;
  EXPECT_EQ(Ids(*view, q), (std::vector<std::string>{"c6"}));
  q.limit = -1;
  q.offset = 4;
  EXPECT_EQ(Ids(*view, q), (std::vector<std::string>{"c5", "c6"}));
  q.limit = 0;
  q.offset = 0;
  EXPECT_TRUE(Ids(*view, q).empty());
  // Count ignores paging.
  q.limit = 1;
  q.offset = 1;
  EXPECT_EQ(*view->Count(q), 6);
}

// --- ordering and keyset paging ------------------------------------------------------------------

// The documented order: NULL before every value ascending (after every value descending),
// strings by code point, then id ascending.
int CompareValues(const Value& a, const Value& b) {
  bool an = std::holds_alternative<std::monostate>(a);
  bool bn = std::holds_alternative<std::monostate>(b);
  if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.index() != b.index()) return three_way(a.index(), b.index());
  if (const auto* s = std::get_if<std::string>(&a)) return three_way(*s, std::get<std::string>(b));
  if (const auto* v = std::get_if<bool>(&a)) return three_way(*v, std::get<bool>(b));
  if (const auto* v = std::get_if<int64_t>(&a)) return three_way(*v, std::get<int64_t>(b));
  if (const auto* v = std::get_if<double>(&a)) return three_way(*v, std::get<double>(b));
  if (const auto* v = std::get_if<DateTime>(&a)) return three_way(v->ms, std::get<DateTime>(b).ms);
  if (const auto* v = std::get_if<core::CivilDate>(&a)) {
    return three_way(core::DaysFromCivil(*v), core::DaysFromCivil(std::get<core::CivilDate>(b)));
  }
  ADD_FAILURE() << "not an ordering type";
  return 0;
}

std::vector<std::string> ReferenceOrder(std::vector<Record> records,
                                        const std::vector<OrderKey>& keys) {
  std::sort(records.begin(), records.end(), [&](const Record& x, const Record& y) {
    for (const OrderKey& k : keys) {
      int c =
          CompareValues(x.Get(static_cast<size_t>(k.field)), y.Get(static_cast<size_t>(k.field)));
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return x.id() < y.id();
  });
  std::vector<std::string> ids;
  for (const Record& r : records) ids.push_back(r.id());
  return ids;
}

class OrderTest : public StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (HasFatalFailure()) return;
    const char* countries[] = {"FR", "DE", "", "BR", "de", "Éire", "FR"};
    const char* last_names[] = {"Martin", "", "Müller", "martin", "Zed", "Martin", "O'Brien", ""};
    for (int i = 0; i < 57; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "k%02d", (i * 37) % 57);  // ids not in insertion order
      Record r = Contact(id, countries[i % 7], {}, i % 5 == 0 ? "" : "F" + std::to_string(i % 4));
      if (*last_names[i % 8]) r.Set("lastName", S(last_names[i % 8]));
      if (i % 3 != 0) r.Set("primary", B(i % 3 == 1));
      if (i % 4 != 0) r.Set("updated", Value(DateTime{kT0 - (i % 6) * 86400000LL}));
      records_.push_back(r);
    }
    CommitRun(store(), "fx", records_, kT0);
    // Read back what was stored (updated defaulted by the store).
    auto view = View(store());
    records_.clear();
    ASSERT_TRUE(view->Scan(Q(Contacts()),
                           [&](const Record& r) {
                             records_.push_back(r);
                             return Status::Ok();
                           })
                    .ok());
    ASSERT_EQ(records_.size(), 57u);
  }

  std::vector<std::vector<OrderKey>> Orders() {
    const EntitySpec& C = Contacts();
    int country = Field(C, "country");
    int last = Field(C, "lastName");
    int first = Field(C, "firstName");
    int primary = Field(C, "primary");
    int updated = Field(C, "updated");
    return {
        {},
        {{country, false}},
        {{country, true}},
        {{last, true}, {first, false}},
        {{primary, false}, {country, true}},
        {{updated, true}},
        {{updated, false}, {last, false}},
        {{primary, true}, {last, true}, {first, true}},
        {{Field(C, "id"), true}},
    };
  }

  std::vector<Record> records_;
};

TEST_P(OrderTest, OrderingOnSeveralKeysWithNulls) {
  auto view = View(store());
  for (const auto& keys : Orders()) {
    Query q = Q(Contacts());
    q.order_by = keys;
    EXPECT_EQ(Ids(*view, q), ReferenceOrder(records_, keys)) << "keys: " << keys.size();
  }
}

TEST_P(OrderTest, KeysetPagingEqualsOneFullScan) {
  auto view = View(store());
  for (const auto& keys : Orders()) {
    for (int64_t page : {1, 2, 5, 100}) {
      SCOPED_TRACE("keys " + std::to_string(keys.size()) + " page " + std::to_string(page));
      Query q = Q(Contacts(), Cmp(Contacts(), "firstName", Op::kNe, S("F1")));
      q.order_by = keys;
      std::vector<std::string> full = Ids(*view, q);
      std::vector<std::string> paged;
      q.limit = page;
      for (int guard = 0; guard < 200; ++guard) {
        std::vector<Record> got;
        ASSERT_TRUE(view->Scan(q,
                               [&](const Record& r) {
                                 got.push_back(r);
                                 return Status::Ok();
                               })
                        .ok());
        for (const Record& r : got) paged.push_back(r.id());
        if (static_cast<int64_t>(got.size()) < page) break;
        q.after.clear();
        for (const OrderKey& k : keys)
          q.after.push_back(got.back().Get(static_cast<size_t>(k.field)));
        q.after.push_back(Value(got.back().id()));
      }
      EXPECT_EQ(paged, full);
    }
  }
}

TEST_P(OrderTest, KeysetPagingStaysExactWhileRunsCommit) {
  const EntitySpec& C = Contacts();
  Query q = Q(C);
  q.order_by = {{Field(C, "country"), false}};
  q.limit = 10;
  std::vector<std::string> seen;
  std::set<std::string> inserted_before_cursor;
  for (int page = 0; page < 20; ++page) {
    auto view = View(store());  // a new view per page, as next links do
    std::vector<Record> got;
    ASSERT_TRUE(view->Scan(q,
                           [&](const Record& r) {
                             got.push_back(r);
                             return Status::Ok();
                           })
                    .ok());
    for (const Record& r : got) seen.push_back(r.id());
    if (got.size() < 10) break;
    q.after = {got.back().Get(static_cast<size_t>(Field(C, "country"))), Value(got.back().id())};
    // Between pages a run adds a record that sorts before the cursor: it must not appear.
    std::string id = "new" + std::to_string(page);
    CommitRun(store(), "other", {Contact(id, "AA", {}, "N")}, kT0);
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a record was seen twice";
  EXPECT_EQ(seen.size(), records_.size());
}

INSTANTIATE_TEST_SUITE_P(Store, StoreContractTest, ::testing::ValuesIn(ContractBackends()),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Store, QueryTest, ::testing::ValuesIn(ContractBackends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Store, OrderTest, ::testing::ValuesIn(ContractBackends()), BackendName);

}  // namespace
}  // namespace meabridge::store::testing
