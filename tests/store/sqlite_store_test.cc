// The SQLite store: its contract-suite harness, and what only SQLite has (the file, its
// layout, migrations, the location forms of OpenStore).
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/query_sql.h"
#include "store/sqlite/schema.h"
#include "store/store_contract.h"
#include "support/test_support.h"

namespace meabridge::store::testing {

namespace {

class SqliteHarness : public StoreHarness {
 public:
  Result<std::unique_ptr<Store>> Open(int begin_run_timeout_ms,
                                      const core::Clock& clock) override {
    sqlite::SqliteOptions o;
    o.begin_run_timeout_ms = begin_run_timeout_ms;
    o.clock = &clock;
    return sqlite::OpenSqliteStore(dir_.File("store.db"), o);
  }
  std::string Location() const override { return "sqlite:" + dir_.File("store.db"); }
  // The first thing BeginRun may wait for is the writer connection (a condition variable):
  // asleep there is waiting for the other run.
  bool WaitsToBeginARun(int tid) const override { return ThreadIsAsleep(tid); }

 private:
  meabridge::testing::TempDir dir_;
};

}  // namespace

Backend SqliteBackend() {
  return Backend{"Sqlite", [] { return std::make_unique<SqliteHarness>(); }};
}

namespace {

using model::Record;
using model::Value;
using sqlite::OpenSqliteStore;
using sqlite::SqliteOptions;

// Direct access to the file, to look at what the store wrote and to build files by hand.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "cannot open " << path;
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
    }
    sqlite3_free(err);
  }
  // Column `col` of every row.
  std::vector<std::string> Column(const std::string& sql,
                                  const std::vector<sqlite::Param>& params = {}, int col = 0) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    sqlite::BindAll(s, params);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(s, col);
      out.emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    sqlite3_finalize(s);
    return out;
  }
  std::string Text(const std::string& sql) {
    auto c = Column(sql);
    return c.empty() ? "" : c[0];
  }

 private:
  sqlite3* db_ = nullptr;
};

constexpr core::EpochMs kT0 = 1700000000000;

Query AllContacts() {
  Query q;
  q.entity = &Contacts();
  return q;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.File("meabridge.db"); }

  std::unique_ptr<Store> OpenOrDie(const SqliteOptions& o = {}) {
    auto s = OpenSqliteStore(path(), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  meabridge::testing::TempDir dir_;
};

// --- OpenStore and the backend registry ----------------------------------------------------------

TEST_F(SqliteStoreTest, OpenStoreLocationForms) {
  {
    auto s = OpenStore("sqlite:" + path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ((*s)->Info()->backend, "sqlite");
    EXPECT_EQ((*s)->Info()->location, path());
  }
  {
    auto s = OpenStore(path());  // a plain path
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ((*s)->Info()->location, path());
  }
  {
    auto s = OpenStore("  SQLite:" + path() + "\n");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  for (const char* bad : {"mysql://root@localhost/x", "", "   ", "sqlite:"}) {
    auto s = OpenStore(bad);
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(s.status().message().find("sqlite:PATH"), std::string::npos) << s.status().message();
  }
  auto s = OpenStore("mysql://root@localhost/x");
  EXPECT_NE(s.status().message().find("postgresql://"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("mysql://"), std::string::npos) << s.status().message();
}

TEST(BackendRegistryTest, LongestPrefixAndPlainPaths) {
  BackendRegistry r;
  RegisterAllBackends(r);
  std::string rest;
  auto b = r.Resolve("sqlite:/var/lib/x.db", &rest);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->name, "sqlite");
  EXPECT_EQ(rest, "/var/lib/x.db");
  b = r.Resolve("relative/dir:with:colons.db", &rest);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->name, "sqlite");
  EXPECT_EQ(rest, "relative/dir:with:colons.db");
  b = r.Resolve("POSTGRESQL://h/db", &rest);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->name, "postgresql");
  EXPECT_EQ(rest, "h/db");
  EXPECT_FALSE(r.Resolve("ftp://host/file", &rest).ok());
}

// --- the file ------------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, FileLayoutFollowsTheRegistry) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  RawDb db(path());
  EXPECT_EQ(db.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"),
            std::to_string(sqlite::kSchemaVersion));
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    std::string table = "e_" + e.name;
    auto cols = db.Column("SELECT name FROM pragma_table_info('" + table + "')");
    for (const model::FieldSpec& f : e.fields) {
      EXPECT_NE(std::find(cols.begin(), cols.end(), f.name), cols.end()) << f.name;
    }
    for (const char* book :
         {"_seq", "_deleted", "_hash", "_source", "_source_id", "_fetched_at", "_run_id"}) {
      EXPECT_NE(std::find(cols.begin(), cols.end(), book), cols.end()) << book;
    }
    auto indexes = db.Column("SELECT name FROM pragma_index_list('" + table + "')");
    for (std::string want : {table + "__state", table + "_updated"}) {
      EXPECT_NE(std::find(indexes.begin(), indexes.end(), want), indexes.end()) << want;
    }
    for (const model::FieldSpec& f : e.fields) {
      if (!f.indexed || f.IsList() || f.type == model::FieldType::kMultilingual) continue;
      EXPECT_NE(std::find(indexes.begin(), indexes.end(), table + "_" + f.name), indexes.end())
          << f.name;
    }
  }
  EXPECT_EQ(db.Text("SELECT type FROM pragma_table_info('e_contacts') WHERE name = 'updated'"),
            "INTEGER");
  EXPECT_EQ(db.Text("SELECT type FROM pragma_table_info('e_meetings') WHERE name = 'latitude'"),
            "REAL");
  EXPECT_EQ(
      db.Text("SELECT type FROM registry_fields WHERE tbl = 'e_contacts' AND field = 'treaties'"),
      "string-list");
}

TEST_F(SqliteStoreTest, ColumnsHoldTheDocumentedRepresentation) {
  auto store = OpenOrDie();
  Record c = Contact("c1", "FR", {"cbd", "cms"}, "Anne");
  c.Set("primary", Value(true));
  c.Set("lastName", Value(std::string()));  // empty: stored as NULL
  c.Set("roles", Value(model::ItemList{{{"treaty", "cbd"}, {"role", "NFP"}}}));
  Record t(Treaties());
  t.set_id("cbd");
  model::Multilingual title;
  model::SetText(title, "fr", "CDB");
  model::SetText(title, "en", "CBD");
  t.Set("title", Value(title));
  t.Set("entryIntoForce", Value(core::CivilDate{1993, 12, 29}));
  CommitRun(*store, "s", {c, t}, kT0);
  RawDb db(path());
  EXPECT_EQ(db.Text("SELECT treaties FROM e_contacts"), R"(["cbd","cms"])");
  EXPECT_EQ(db.Text("SELECT roles FROM e_contacts"), R"([{"role":"NFP","treaty":"cbd"}])");
  EXPECT_EQ(db.Text("SELECT \"primary\" FROM e_contacts"), "1");
  EXPECT_EQ(db.Text("SELECT typeof(lastName) FROM e_contacts"), "null");
  EXPECT_EQ(db.Text("SELECT updated FROM e_contacts"), std::to_string(kT0));
  EXPECT_EQ(db.Text("SELECT title FROM e_treaties"), R"({"en":"CBD","fr":"CDB"})");
  EXPECT_EQ(db.Text("SELECT entryIntoForce FROM e_treaties"), "1993-12-29");
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'seq'"), "2");
}

TEST_F(SqliteStoreTest, UnchangedIsDecidedByTheContentHashWhenNoFingerprintIsStored) {
  auto store = OpenOrDie();
  Record c = Contact("c1", "FR", {"cbd"}, "Anne");
  CommitRun(*store, "s", {c}, kT0);
  RawDb db(path());
  EXPECT_EQ(db.Text("SELECT length(_fp) FROM e_contacts"), "16");
  // A row without a fingerprint (as another writer may leave it): the SHA-1 decides.
  db.Exec("UPDATE e_contacts SET _fp = NULL");
  {
    auto w = store->BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*(*w)->Upsert(c), UpsertOutcome::kUnchanged);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(db.Text("SELECT _seq FROM e_contacts"), "1");
  EXPECT_EQ(db.Text("SELECT typeof(_fp) FROM e_contacts"), "null");  // nothing was written
  // A changed record is written with its fingerprint again.
  c.Set("firstName", Value(std::string("Anna")));
  {
    auto w = store->BeginRun("s", kT0 + 2, false);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*(*w)->Upsert(c), UpsertOutcome::kUpdated);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(db.Text("SELECT _seq || ' ' || length(_fp) FROM e_contacts"), "2 16");
  // A tombstone keeps neither hash nor fingerprint.
  {
    auto w = store->BeginRun("s", kT0 + 3, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(*(*w)->Delete(Contacts(), "c1"));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(db.Text("SELECT typeof(_fp) || ' ' || typeof(_hash) FROM e_contacts"), "null null");
}

TEST_F(SqliteStoreTest, NotADatabaseIsAClearError) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "this is a text file, not a database\n";
  meabridge::testing::WriteFile(path(), text);
  auto s = OpenSqliteStore(path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition) << s.status().ToString();
  EXPECT_NE(s.status().message().find(path()), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("not an SQLite database"), std::string::npos)
      << s.status().message();
  EXPECT_EQ(meabridge::testing::ReadFileOrDie(path()), text);  // left alone
}

TEST_F(SqliteStoreTest, AnotherApplicationsDatabaseIsRefused) {
  {
    RawDb db(path());
    db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
  }
  auto s = OpenSqliteStore(path());
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition) << s.status().ToString();
  EXPECT_NE(s.status().message().find("not a meabridge store"), std::string::npos)
      << s.status().message();
}

TEST_F(SqliteStoreTest, MissingOrUnwritableDirectoryIsAClearError) {
  std::string missing = dir_.File("no/such/folder/store.db");
  auto s = OpenSqliteStore(missing);
  EXPECT_EQ(s.status().code(), Status::Code::kIoError) << s.status().ToString();
  EXPECT_NE(s.status().message().find(missing), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("folder exists"), std::string::npos) << s.status().message();

  std::string ro = dir_.File("read-only");
  ASSERT_EQ(mkdir(ro.c_str(), 0555), 0);
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  std::string in_ro = ro + "/store.db";
  if (geteuid() != 0) {
    auto r = OpenSqliteStore(in_ro);
    EXPECT_EQ(r.status().code(), Status::Code::kIoError) << r.status().ToString();
    EXPECT_NE(r.status().message().find(in_ro), std::string::npos) << r.status().message();
  } else {
    // Root writes anywhere: try as "nobody" in a child process, which reports the status.
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
      auto r = OpenSqliteStore(in_ro);
      std::string report =
          std::to_string(static_cast<int>(r.status().code())) + " " + r.status().message();
      ssize_t ignored = write(fds[1], report.data(), report.size());
      (void)ignored;
      _exit(0);
    }
    close(fds[1]);
    std::string report;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    EXPECT_EQ(report.substr(0, report.find(' ')),
              std::to_string(static_cast<int>(Status::Code::kIoError)))
        << report;
    EXPECT_NE(report.find(in_ro), std::string::npos) << report;
    EXPECT_NE(report.find("may write there"), std::string::npos) << report;
  }
  chmod(ro.c_str(), 0755);
}

// Issue 14, point 9: SQLite reports a write that failed with ENOSPC as a plain I/O error
// (SQLITE_IOERR_WRITE, _SHMSIZE ...); the errno says the disk is full, and the message too.
TEST(SqliteStatusTest, AnIoErrorWithEnospcIsNamedADiskFull) {
  Status full = sqlite::SqliteStatus(SQLITE_IOERR_SHMSIZE, "/var/lib/mb.db",
                                     "running \"PRAGMA journal_mode=WAL\"", "disk I/O error",
                                     ENOSPC);
  EXPECT_EQ(full.code(), Status::Code::kIoError);
  EXPECT_EQ(full.message(),
            "store /var/lib/mb.db: disk full while running \"PRAGMA journal_mode=WAL\" (disk I/O "
            "error; ENOSPC: No space left on device): free space on its file system (or raise "
            "the user's quota), then retry");
  Status quota = sqlite::SqliteStatus(SQLITE_IOERR_WRITE, "/x.db", "committing", "", EDQUOT);
  EXPECT_NE(quota.message().find("disk full while committing"), std::string::npos);
  EXPECT_NE(quota.message().find("EDQUOT"), std::string::npos) << quota.message();
  Status sqlite_full = sqlite::SqliteStatus(SQLITE_FULL, "/x.db", "committing", "");
  EXPECT_NE(sqlite_full.message().find("disk full while committing (database or disk is full)"),
            std::string::npos)
      << sqlite_full.message();
  Status other = sqlite::SqliteStatus(SQLITE_IOERR_READ, "/x.db", "reading", "disk I/O error", EIO);
  EXPECT_EQ(other.message(), "store /x.db: I/O error while reading (disk I/O error)");
}

// The same on a real file system full to the last byte: a 256 KB tmpfs mounted in a mount
// namespace of a child process (a user namespace too when not root). Skipped, saying so, where
// the kernel allows neither.
TEST_F(SqliteStoreTest, OpeningOnAFullDiskSaysTheDiskIsFull) {
  std::string mnt = dir_.File("full");
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(uid == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0) _exit(4);
    if (uid != 0) {
      auto put = [](const char* file, const std::string& text) {
        int fd = open(file, O_WRONLY);
        bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        if (fd >= 0) close(fd);
        return ok;
      };
      put("/proc/self/setgroups", "deny");
      if (!put("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
          !put("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
        _exit(4);
      }
    }
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(4);
    if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") != 0) _exit(4);
    // Fill it to the last byte.
    int fill = open((mnt + "/fill").c_str(), O_WRONLY | O_CREAT, 0644);
    if (fill < 0) _exit(5);
    char block[4096] = {};
    while (write(fill, block, sizeof block) > 0) {
    }
    while (write(fill, block, 1) > 0) {
    }
    close(fill);
    auto r = OpenSqliteStore(mnt + "/store.db");
    std::string report = r.ok() ? std::string("opened") : r.status().message();
    ssize_t ignored = write(fds[1], report.data(), report.size());
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "child status " << status;
  if (WEXITSTATUS(status) == 4) {
    GTEST_SKIP() << "no mount namespace for a small tmpfs here (unshare/mount refused); "
                    "SqliteStatusTest.AnIoErrorWithEnospcIsNamedADiskFull covers the message";
  }
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(report.find("disk full while"), std::string::npos) << report;
  EXPECT_NE(report.find("free space on its file system"), std::string::npos) << report;
  EXPECT_NE(report.find(mnt + "/store.db"), std::string::npos) << report;
}

TEST_F(SqliteStoreTest, ViewsAndWritersMayOutliveTheStore) {
  auto store = OpenOrDie();
  CommitRun(*store, "s", {Contact("a", "FR", {}, "A")}, kT0);
  auto view = store->Read();
  ASSERT_TRUE(view.ok());
  auto writer = store->BeginRun("s", kT0 + 1, false);
  ASSERT_TRUE(writer.ok());
  store.reset();
  EXPECT_TRUE((*view)->Get(Contacts(), "a")->has_value());
  ASSERT_TRUE((*writer)->Upsert(Contact("b", "FR", {}, "B")).ok());
  ASSERT_TRUE((*writer)->Commit({}).ok());
  writer->reset();
  view->reset();
  auto again = OpenOrDie();
  EXPECT_EQ(*(*again->Read())->Count(AllContacts()), 2);
}

TEST_F(SqliteStoreTest, WriterOfAnotherProcessIsWaitedForThenUnavailable) {
  auto a = OpenOrDie();
  SqliteOptions quick;
  quick.begin_run_timeout_ms = 200;
  auto b = OpenOrDie(quick);  // a second Store on the same file: what another process sees
  auto wa = a->BeginRun("one", kT0, false);
  ASSERT_TRUE(wa.ok());
  auto wb = b->BeginRun("two", kT0, false);
  ASSERT_FALSE(wb.ok());
  EXPECT_EQ(wb.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(wb.status().message().find("another meabridge process"), std::string::npos)
      << wb.status().message();
  auto failed = b->RecordFailedRun(RunRecord{});
  EXPECT_EQ(failed.status().code(), Status::Code::kUnavailable);
  // Readers of the other store are not blocked by the open run.
  EXPECT_EQ(*(*b->Read())->MaxSeq(), 0);
  ASSERT_TRUE((*wa)->Upsert(Contact("a", "FR", {}, "A")).ok());
  ASSERT_TRUE((*wa)->Commit({}).ok());
  wa->reset();
  auto wb2 = b->BeginRun("two", kT0, false);
  ASSERT_TRUE(wb2.ok()) << wb2.status().ToString();
  // The second store continues the sequence the first one committed.
  EXPECT_EQ(*(*wb2)->Upsert(Contact("b", "FR", {}, "B")), UpsertOutcome::kCreated);
  ASSERT_TRUE((*wb2)->Commit({}).ok());
  wb2->reset();
  auto view = a->Read();
  EXPECT_EQ(*(*view)->MaxSeq(), 2);
}

TEST_F(SqliteStoreTest, FailedRunKeepsTheIdItsLogLinesCarried) {
  auto store = OpenOrDie();
  int64_t id = 0;
  {
    auto w = store->BeginRun("s", kT0, false);
    ASSERT_TRUE(w.ok());
    id = (*w)->run_id();
  }  // rolled back
  RunRecord failed;
  failed.id = id;
  failed.source = "s";
  failed.error = "boom";
  auto recorded = store->RecordFailedRun(failed);
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*recorded, id);
  auto again = store->RecordFailedRun(failed);  // that id is taken now: a new one
  ASSERT_TRUE(again.ok());
  EXPECT_GT(*again, id);
  auto run = (*store->Read())->Run(id);
  EXPECT_EQ((*run)->status, "failed");
}

// --- migrations ----------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, FreshStoreIsAtTheCurrentVersion) {
  auto store = OpenOrDie();
  EXPECT_EQ(store->Info()->schema_version, sqlite::kSchemaVersion);
  // Opening again changes nothing.
  store.reset();
  auto again = OpenOrDie();
  EXPECT_EQ(again->Info()->schema_version, sqlite::kSchemaVersion);
}

TEST_F(SqliteStoreTest, NewerStoreIsRefusedWithWhatToDo) {
  { auto store = OpenOrDie(); }
  {
    RawDb db(path());
    db.Exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'");
  }
  auto s = OpenSqliteStore(path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "store " + path() +
                " was written by a newer meabridge (schema 99; this version reads up to " +
                std::to_string(sqlite::kSchemaVersion) +
                "): upgrade meabridge or point <store location> at another file");
  // The file was not touched.
  RawDb db(path());
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"), "99");
}

// A store file as an older meabridge left it, built by hand: the version-1 bookkeeping tables,
// a contacts table with fewer columns than today's registry (and a row in it), no meetings
// table and no indexes.
TEST_F(SqliteStoreTest, OldSchemaIsUpgradedKeepingItsData) {
  {
    model::Registry none({});
    auto schema = sqlite::Schema::Build(none);
    ASSERT_TRUE(schema.ok());
    sqlite::ConnectionOptions co;
    co.create = true;
    auto conn = sqlite::Connection::Open(path(), co);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(sqlite::Migrate(**conn, *schema, sqlite::Migrations()).ok());
  }
  {
    RawDb db(path());
    db.Exec(R"sql(
      CREATE TABLE e_contacts (_seq INTEGER PRIMARY KEY, "id" TEXT NOT NULL UNIQUE,
        _deleted INTEGER NOT NULL DEFAULT 0, _hash TEXT, _source TEXT NOT NULL DEFAULT '',
        _source_id TEXT, _fetched_at INTEGER, _run_id INTEGER, "updated" INTEGER,
        "treaties" TEXT, "country" TEXT, "firstName" TEXT);
      INSERT INTO registry_fields VALUES ('e_contacts', 'id', 'string'),
        ('e_contacts', 'updated', 'datetime'), ('e_contacts', 'treaties', 'string-list'),
        ('e_contacts', 'country', 'term'), ('e_contacts', 'firstName', 'string');
      INSERT INTO runs (id, source, started, finished, status) VALUES (1, 'old', 1, 2, 'ok');
      INSERT INTO e_contacts VALUES (7, 'old-1', 0, 'abc', 'old', 'x', 5, 1, 1600000000000,
        '["cbd"]', 'FR', 'Olga');
      UPDATE meta SET value = 7 WHERE key = 'seq';
      INSERT INTO watermarks VALUES ('old', 'w-old', 1, 1);
    )sql");
  }
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  auto view = store->Read();
  ASSERT_TRUE(view.ok());
  auto old = (*view)->Get(Contacts(), "old-1");
  ASSERT_TRUE(old.ok() && old->has_value()) << old.status().ToString();
  EXPECT_EQ(std::get<std::string>(*(*old)->Find("firstName")), "Olga");
  EXPECT_EQ(std::get<model::StringList>(*(*old)->Find("treaties")), model::StringList{"cbd"});
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*(*old)->Find("email")));
  EXPECT_EQ(**(*view)->Watermark("old"), "w-old");
  EXPECT_EQ(*(*view)->MaxSeq(), 7);
  view->reset();
  RawDb db(path());
  EXPECT_EQ(db.Text("SELECT count(*) FROM pragma_table_info('e_contacts') WHERE name = 'email'"),
            "1");
  EXPECT_EQ(db.Text("SELECT count(*) FROM sqlite_master WHERE name = 'e_meetings'"), "1");
  EXPECT_EQ(db.Text("SELECT count(*) FROM sqlite_master WHERE name = 'e_contacts_country'"), "1");
  EXPECT_EQ(
      db.Text("SELECT type FROM registry_fields WHERE tbl = 'e_contacts' AND field = 'email'"),
      "string");
  // The upgraded store takes new runs, continuing the sequence.
  CommitRun(*store, "new", {Contact("n", "DE", {}, "N")}, kT0);
  EXPECT_EQ(db.Text("SELECT _seq FROM e_contacts WHERE id = 'n'"), "8");
}

TEST_F(SqliteStoreTest, VersionedMigrationsRunInOrderOnceAndAtomically) {
  auto store = OpenOrDie();
  CommitRun(*store, "s", {Contact("a", "fr", {}, "A")}, kT0);
  store.reset();
  auto schema = sqlite::Schema::Build(Reg());
  ASSERT_TRUE(schema.ok());
  auto conn = sqlite::Connection::Open(path(), {});
  ASSERT_TRUE(conn.ok());

  // A version 2 that fails half-way leaves the file at version 1, untouched.
  std::vector<sqlite::Migration> failing = sqlite::Migrations();
  failing.push_back({2, "test: a migration that fails", [](sqlite::Connection& c) -> Status {
                       MB_RETURN_IF_ERROR(c.Exec("CREATE TABLE half_done (x)"));
                       return c.Exec("UPDATE no_such_table SET x = 1");
                     }});
  Status s = sqlite::Migrate(**conn, *schema, failing);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema 2"), std::string::npos) << s.message();
  RawDb db(path());
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"), "1");
  EXPECT_EQ(db.Text("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"), "0");

  int applied = 0;
  std::vector<sqlite::Migration> next = sqlite::Migrations();
  next.push_back({2, "test: upper-case countries", [&applied](sqlite::Connection& c) {
                    ++applied;
                    return c.Exec(
                        "CREATE TABLE notes (x); UPDATE e_contacts SET country = upper(country)");
                  }});
  ASSERT_TRUE(sqlite::Migrate(**conn, *schema, next).ok());
  ASSERT_TRUE(sqlite::Migrate(**conn, *schema, next).ok());  // already at 2: nothing runs
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(db.Text("SELECT country FROM e_contacts WHERE id = 'a'"), "FR");
  conn->reset();

  // This binary knows version 1 only: the migrated file is refused.
  auto refused = OpenSqliteStore(path());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("(schema 2; this version reads up to 1)"),
            std::string::npos)
      << refused.status().message();
}

// A registry of our own: today's entities, Contacts with one more (indexed) field, and one
// more entity.
model::Registry ExtendedRegistry(model::FieldType nickname_type = model::FieldType::kString) {
  std::vector<model::EntitySpec> entities = Reg().entities();
  for (model::EntitySpec& e : entities) {
    if (e.set_name != "Contacts") continue;
    model::FieldSpec nick;
    nick.name = "nickname";
    nick.type = nickname_type;
    nick.indexed = true;
    e.fields.push_back(nick);
  }
  model::EntitySpec sites = entities.front();
  sites.set_name = "Sites";
  sites.type_name = "Site";
  sites.name = "sites";
  sites.fields.resize(2);  // id, updated
  entities.push_back(sites);
  return model::Registry(std::move(entities));
}

TEST_F(SqliteStoreTest, ARegistryWithAnExtraFieldAddsItsColumn) {
  {
    auto store = OpenOrDie();
    CommitRun(*store, "s", {Contact("a", "FR", {"cbd"}, "A")}, kT0);
  }
  model::Registry extended = ExtendedRegistry();
  const model::EntitySpec& xc = *extended.Find("Contacts");
  SqliteOptions o;
  o.registry = &extended;
  {
    auto store = OpenOrDie(o);
    ASSERT_TRUE(store);
    auto view = store->Read();
    auto a = (*view)->Get(xc, "a");
    ASSERT_TRUE(a.ok() && a->has_value()) << a.status().ToString();
    EXPECT_TRUE(std::holds_alternative<std::monostate>(*(*a)->Find("nickname")));
    view->reset();
    Record b(xc);
    b.set_id("b");
    b.Set("nickname", Value(std::string("Bee")));
    model::Record site(*extended.Find("Sites"));
    site.set_id("s1");
    CommitRun(*store, "s", {b, site}, kT0);
    auto v2 = store->Read();
    Query q;
    q.entity = &xc;
    q.filter = Expr::Compare(xc.FieldIndex("nickname"), Expr::Op::kEq, Value(std::string("Bee")));
    EXPECT_EQ(Ids(**v2, q), std::vector<std::string>{"b"});
    EXPECT_TRUE((*v2)->Get(*extended.Find("Sites"), "s1")->has_value());
  }
  RawDb db(path());
  EXPECT_EQ(db.Text("SELECT count(*) FROM sqlite_master WHERE name = 'e_contacts_nickname'"), "1");
  EXPECT_EQ(db.Text("SELECT count(*) FROM sqlite_master WHERE name = 'e_sites'"), "1");
  // The default registry still reads the store (the extra column is left alone).
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  EXPECT_EQ(*(*store->Read())->Count(AllContacts()), 2);
}

TEST_F(SqliteStoreTest, AFieldWhoseTypeChangedIsRefused) {
  { auto store = OpenOrDie(); }
  model::Registry extended = ExtendedRegistry();
  SqliteOptions o;
  o.registry = &extended;
  { auto store = OpenOrDie(o); }
  model::Registry changed = ExtendedRegistry(model::FieldType::kInt);
  o.registry = &changed;
  auto s = OpenSqliteStore(path(), o);
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("nickname"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("versioned migration"), std::string::npos)
      << s.status().message();
}

// --- queries: parameters and plans
// -----------------------------------------------------------------

TEST(SqliteQuerySqlTest, EveryLiteralIsABoundParameter) {
  auto schema = sqlite::Schema::Build(Reg());
  ASSERT_TRUE(schema.ok());
  const model::EntitySpec& C = Contacts();
  const sqlite::TableInfo* t = schema->Find(C);
  ASSERT_TRUE(t);
  auto marker = [](int i) { return Value("MARK" + std::to_string(i) + "'\";--"); };
  auto text = [&](Expr::Kind k, int field, int i, std::string item = "") {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->field = field;
    e->literal = marker(i);
    e->item_field = std::move(item);
    return e;
  };
  auto in = std::make_unique<Expr>();
  in->kind = Expr::Kind::kIn;
  in->field = Field(C, "country");
  in->list = {marker(1), marker(2)};
  auto any = std::make_unique<Expr>();
  any->kind = Expr::Kind::kAny;
  any->field = Field(C, "roles");
  any->children.push_back(text(Expr::Kind::kContains, Expr::kElement, 3, "role"));
  std::unique_ptr<Expr> e =
      Expr::And(Expr::And(std::move(in), std::move(any)),
                Expr::Or(Expr::Or(Expr::Compare(Field(C, "firstName"), Expr::Op::kEq, marker(4)),
                                  Expr::Compare(Field(C, "treaties"), Expr::Op::kNe, marker(5))),
                         Expr::Or(text(Expr::Kind::kStartsWith, Field(C, "lastName"), 6),
                                  text(Expr::Kind::kEndsWith, Field(C, "email"), 7))));
  Query q;
  q.entity = &C;
  q.filter = std::move(e);
  q.order_by = {{Field(C, "lastName"), true}};
  q.after = {marker(8), marker(9)};
  q.limit = 10;
  auto sql = sqlite::CompileSelect(*t, q);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(sql->sql.find("MARK"), std::string::npos) << sql->sql;
  int found = 0;
  for (const sqlite::Param& p : sql->params) {
    if (const auto* s = std::get_if<std::string>(&p); s && s->rfind("MARK", 0) == 0) ++found;
  }
  EXPECT_EQ(found, 9);
}

TEST_F(SqliteStoreTest, QueriesUseTheIndexes) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  auto schema = sqlite::Schema::Build(Reg());
  const model::EntitySpec& C = Contacts();
  const sqlite::TableInfo* t = schema->Find(C);
  RawDb db(path());
  // The plan's detail column, joined.
  auto plan = [&](const Query& q) {
    auto c = sqlite::CompileSelect(*t, q);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::string all;
    for (const std::string& row : db.Column("EXPLAIN QUERY PLAN " + c->sql, c->params, 3)) {
      all += row + "; ";
    }
    return all;
  };
  Query by_country;
  by_country.entity = &C;
  by_country.filter = Expr::Compare(Field(C, "country"), Expr::Op::kEq, Value(std::string("FR")));
  EXPECT_NE(plan(by_country).find("e_contacts_country"), std::string::npos) << plan(by_country);
  Query by_updated;
  by_updated.entity = &C;
  by_updated.order_by = {{Field(C, "updated"), true}};
  by_updated.limit = 100;
  EXPECT_NE(plan(by_updated).find("e_contacts_updated"), std::string::npos) << plan(by_updated);
  Query by_id;
  by_id.entity = &C;
  by_id.limit = 100;
  EXPECT_EQ(plan(by_id).find("TEMP B-TREE"), std::string::npos) << plan(by_id);
}

}  // namespace
}  // namespace meabridge::store::testing
