#include "store/sqlite/connection.h"

#include <cerrno>
#include <cstring>
#include <utility>

namespace meabridge::store::sqlite {

Status SqliteStatus(int rc, const std::string& path, std::string_view what,
                    std::string_view sqlite_message, int system_errno) {
  std::string detail = std::string(sqlite_message);
  if (detail.empty()) detail = sqlite3_errstr(rc);
  std::string w(what);
  int primary = rc & 0xff;
  if (primary == SQLITE_IOERR && (system_errno == ENOSPC || system_errno == EDQUOT)) {
    detail += std::string("; ") + (system_errno == ENOSPC ? "ENOSPC" : "EDQUOT") + ": " +
              std::strerror(system_errno);
    primary = SQLITE_FULL;
  }
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("store " + path + " is busy while " + w + " (" + detail +
                                 "): another meabridge process holds its lock; retry later");
    case SQLITE_NOTADB:
      return Status::FailedPrecondition(path + " is not an SQLite database (" + detail +
                                        "): point <store location> at a meabridge store or at "
                                        "a new file");
    case SQLITE_CORRUPT:
      return Status::Corruption("store " + path + " is damaged (" + detail + ") while " + w +
                                ": restore it from a backup (docs/store.md, \"Backups\")");
    case SQLITE_CANTOPEN:
      return Status::IoError("cannot open store " + path + " (" + detail +
                             "): check that its folder exists and that the meabridge user may "
                             "write there");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::IoError("store " + path + " is not writable while " + w + " (" + detail +
                             "): make the file, its -wal and -shm files and its folder writable "
                             "by the meabridge user");
    case SQLITE_FULL:
      return Status::IoError("store " + path + ": disk full while " + w + " (" + detail +
                             "): free space on its file system (or raise the user's quota), "
                             "then retry");
    case SQLITE_IOERR:
      return Status::IoError("store " + path + ": I/O error while " + w + " (" + detail + ")");
    default:
      return Status::Internal("store " + path + ": SQLite error while " + w + ": " + detail);
  }
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "";
    return SqliteStatus(rc, path, "opening it", msg, raw ? sqlite3_system_errno(raw) : 0);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  std::unique_ptr<Connection> c(new Connection(path, std::move(db)));
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
                        std::to_string(options.cache_size_kib) + ";";
  if (options.read_only) pragmas += " PRAGMA query_only=1;";
  MB_RETURN_IF_ERROR(c->Exec(pragmas));
  return c;
}

Connection::~Connection() {
  // Finalize before the handle closes.
  recycled_.clear();
  statements_.clear();
}

Status Connection::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : "";
  sqlite3_free(err);
  std::string what = s.size() > 60 ? s.substr(0, 60) + "..." : s;
  return SqliteStatus(rc, path_, "running \"" + what + "\"", msg,
                      sqlite3_system_errno(db_.get()));
}

Result<sqlite3_stmt*> Connection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return Error(rc, "preparing a statement");
  sqlite3_stmt* out = stmt.get();
  statements_.emplace(sql, std::move(stmt));
  return out;
}

Result<StmtHandle> Connection::Take(const std::string& sql) {
  for (auto it = recycled_.rbegin(); it != recycled_.rend(); ++it) {
    if (it->first == sql) {
      StmtHandle stmt = std::move(it->second);
      recycled_.erase(std::next(it).base());
      return stmt;
    }
  }
  sqlite3_stmt* raw = nullptr;
  int rc =
      sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()), 0, &raw, nullptr);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return Error(rc, "preparing a query");
  return stmt;
}

void Connection::Recycle(std::string sql, StmtHandle stmt) {
  if (!stmt) return;
  sqlite3_reset(stmt.get());
  sqlite3_clear_bindings(stmt.get());
  recycled_.emplace_back(std::move(sql), std::move(stmt));
  if (recycled_.size() > kRecycled) recycled_.pop_front();
}

Status Connection::Error(int rc, std::string_view what) const {
  return SqliteStatus(rc, path_, what, sqlite3_errmsg(db_.get()),
                      sqlite3_system_errno(db_.get()));
}

void Connection::ResetAll() {
  for (auto& [sql, stmt] : statements_) sqlite3_reset(stmt.get());
  for (auto& [sql, stmt] : recycled_) sqlite3_reset(stmt.get());
}

int BindParam(sqlite3_stmt* stmt, int index, const Param& param) {
  switch (param.index()) {
    case 0:
      return sqlite3_bind_null(stmt, index);
    case 1:
      return sqlite3_bind_int64(stmt, index, std::get<int64_t>(param));
    case 2:
      return sqlite3_bind_double(stmt, index, std::get<double>(param));
    default:
      return BindText(stmt, index, std::get<std::string>(param));
  }
}

int BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

int BindAll(sqlite3_stmt* stmt, const std::vector<Param>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int rc = BindParam(stmt, static_cast<int>(i + 1), params[i]);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

std::string ColumnText(sqlite3_stmt* stmt, int col) {
  return std::string(ColumnTextView(stmt, col));
}

std::string_view ColumnTextView(sqlite3_stmt* stmt, int col) {
  const unsigned char* p = sqlite3_column_text(stmt, col);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
}

}  // namespace meabridge::store::sqlite
