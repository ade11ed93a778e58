#include "store/postgres/connection.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/strings.h"

namespace meabridge::store::postgres {
namespace {

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...").
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

uint64_t BigEndian(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

// --- Params -----------------------------------------------------------------------------------

Params& Params::Null() {
  values_.emplace_back();
  null_.push_back(true);
  return *this;
}

Params& Params::Text(std::string_view text) {
  values_.emplace_back(text);
  null_.push_back(false);
  return *this;
}

Params& Params::Int(int64_t value) {
  values_.push_back(std::to_string(value));
  null_.push_back(false);
  return *this;
}

Params& Params::Double(double value) {
  std::string s;
  if (std::isnan(value)) {
    s = "NaN";
  } else if (std::isinf(value)) {
    s = value > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    s = buf;
  }
  values_.push_back(std::move(s));
  null_.push_back(false);
  return *this;
}

Params& Params::Bool(bool value) {
  values_.emplace_back(value ? "true" : "false");
  null_.push_back(false);
  return *this;
}

const char* const* Params::Values() const {
  pointers_.clear();
  for (size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(null_[i] ? nullptr : values_[i].c_str());
  }
  return pointers_.empty() ? nullptr : pointers_.data();
}

// --- errors -----------------------------------------------------------------------------------

Status PgStatus(std::string_view display, std::string_view sqlstate, std::string_view message,
                std::string_view what, bool connection_lost) {
  std::string where = "store " + std::string(display);
  std::string w(what);
  std::string detail(message);
  if (!sqlstate.empty()) detail += " (SQLSTATE " + std::string(sqlstate) + ")";
  std::string_view cls = sqlstate.substr(0, std::min<size_t>(2, sqlstate.size()));
  if (connection_lost || cls == "08") {
    return Status::Unavailable(where + ": no connection to the database while " + w + " (" +
                               detail +
                               "): check that the PostgreSQL server runs and accepts connections "
                               "from this host; the store reconnects on its next use");
  }
  if (cls == "28") {
    return Status::FailedPrecondition(where + ": the server refused the login while " + w + " (" +
                                      detail +
                                      "): check the user and password of <store location> and "
                                      "the server's pg_hba.conf");
  }
  if (sqlstate == "3D000") {
    return Status::FailedPrecondition(where + ": " + detail +
                                      ": create the database first (createdb -O USER DATABASE; "
                                      "docs/store.md, \"PostgreSQL\")");
  }
  if (sqlstate == "42501") {
    return Status::FailedPrecondition(
        where + ": permission denied while " + w + " (" + detail +
        "): the store's role must own its schema or hold CREATE and USAGE on it, and TEMPORARY "
        "on the database (docs/store.md, \"PostgreSQL\")");
  }
  if (sqlstate == "55P03" || sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "57014" ||
      cls == "57" || sqlstate == "53300" || sqlstate == "53400") {
    return Status::Unavailable(where + ": the server is busy or shutting down while " + w + " (" +
                               detail + "); retry later");
  }
  if (cls == "53" || cls == "58") {
    return Status::IoError(where + ": the server ran out of a resource while " + w + " (" + detail +
                           "): free disk space or memory on the database server");
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {
    return Status::Corruption(where + " is damaged (" + detail + ") while " + w +
                              ": restore the database from a backup");
  }
  if (cls == "22") {
    return Status::InvalidArgument(where + ": a value the database cannot hold while " + w + " (" +
                                   detail + ")");
  }
  return Status::Internal(where + ": PostgreSQL error while " + w + ": " + detail);
}

// --- Connection -------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(std::shared_ptr<const Endpoint> endpoint,
                                                     const ConnectionSettings& settings) {
  // Keywords before "dbname" are defaults the location may override; keywords after it win.
  std::vector<std::pair<std::string, std::string>> kv = {
      {"connect_timeout", "10"},
      {"application_name", settings.application_name},
      {"dbname", endpoint->uri},
      {"client_encoding", "UTF8"},
  };
  for (const auto& f : settings.forced) kv.push_back(f);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ConnHandle conn(PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1));
  if (!conn) {
    return Status::Internal("store " + endpoint->display +
                            ": libpq could not allocate a connection");
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string msg = Scrub(OneLine(PQerrorMessage(conn.get())), endpoint->password);
    // libpq reports no SQLSTATE for a failed login: tell refusals from unreachable servers
    // by their text.
    if (msg.find("password authentication failed") != std::string::npos ||
        msg.find("no pg_hba.conf entry") != std::string::npos ||
        msg.find("role \"") != std::string::npos) {
      return PgStatus(endpoint->display, "28000", msg, "connecting", false);
    }
    if (msg.find("database \"") != std::string::npos &&
        msg.find("does not exist") != std::string::npos) {
      return PgStatus(endpoint->display, "3D000", msg, "connecting", false);
    }
    if (msg.find("invalid") != std::string::npos && msg.find("URI") != std::string::npos) {
      return Status::InvalidArgument("store location " + endpoint->display + ": " + msg);
    }
    return PgStatus(endpoint->display, "", msg, "connecting", true);
  }
  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  std::unique_ptr<Connection> c(new Connection(std::move(endpoint), std::move(conn)));
  if (!settings.session_sql.empty()) {
    MB_ASSIGN_OR_RETURN(ResultHandle r, c->Exec(settings.session_sql, "setting up the session"));
  }
  return c;
}

bool Connection::Reusable() const {
  return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

Status Connection::Error(const PGresult* result, std::string_view what) const {
  bool lost = PQstatus(conn_.get()) != CONNECTION_OK;
  std::string sqlstate;
  std::string message;
  if (result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state) sqlstate = state;
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    message = primary ? primary : PQresultErrorMessage(result);
    const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
    if (detail) message += std::string(": ") + detail;
  }
  if (message.empty()) message = PQerrorMessage(conn_.get());
  message = Scrub(OneLine(message), endpoint_->password);
  return PgStatus(endpoint_->display, sqlstate, message, what, lost && sqlstate.empty());
}

Result<ResultHandle> Connection::Check(PGresult* raw, std::string_view what) const {
  ResultHandle r(raw);
  if (!r) return Error(nullptr, what);
  ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return r;
  return Error(r.get(), what);
}

Result<ResultHandle> Connection::Exec(std::string_view sql, std::string_view what) {
  std::string s(sql);
  return Check(PQexec(conn_.get(), s.c_str()), what);
}

Result<ResultHandle> Connection::Query(const std::string& sql, const Params& params,
                                       std::string_view what) {
  return Check(PQexecParams(conn_.get(), sql.c_str(), params.size(), nullptr, params.Values(),
                            nullptr, nullptr, /*resultFormat=*/1),
               what);
}

Result<ResultHandle> Connection::QueryPrepared(const std::string& sql, const Params& params,
                                               std::string_view what) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "mb" + std::to_string(prepared_.size() + 1);
    MB_ASSIGN_OR_RETURN(ResultHandle r,
                        Check(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr), what));
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return Check(PQexecPrepared(conn_.get(), it->second.c_str(), params.size(), params.Values(),
                              nullptr, nullptr, /*resultFormat=*/1),
               what);
}

Status Connection::CopyIn(const std::string& copy_sql, std::string_view data,
                          std::string_view what) {
  ResultHandle start(PQexec(conn_.get(), copy_sql.c_str()));
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) return Error(start.get(), what);
  start.reset();
  Status failed;
  constexpr size_t kChunk = 1 << 20;
  for (size_t off = 0; off < data.size() && failed.ok(); off += kChunk) {
    size_t n = std::min(kChunk, data.size() - off);
    if (PQputCopyData(conn_.get(), data.data() + off, static_cast<int>(n)) != 1) {
      failed = Error(nullptr, what);
    }
  }
  if (PQputCopyEnd(conn_.get(), failed.ok() ? nullptr : "meabridge stopped the copy") != 1 &&
      failed.ok()) {
    failed = Error(nullptr, what);
  }
  // The COPY's own result, then the end of the command.
  Status result;
  while (PGresult* raw = PQgetResult(conn_.get())) {
    ResultHandle r(raw);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && result.ok()) result = Error(r.get(), what);
  }
  return failed.ok() ? result : failed;
}

// --- Pool -------------------------------------------------------------------------------------

Pool::Pool(std::shared_ptr<const Endpoint> endpoint, size_t max, std::chrono::milliseconds wait)
    : endpoint_(std::move(endpoint)), max_(max), wait_(wait) {}

Result<std::unique_ptr<Connection>> Pool::Acquire(std::string_view for_what, bool* reused) {
  if (reused) *reused = false;
  {
    auto s = state_.lock();
    bool got = s.WaitFor(cv_, wait_,
                         [this](const State& st) { return !st.idle.empty() || st.open < max_; });
    if (!got) {
      return Status::Unavailable(
          "store " + endpoint_->display + ": cannot start " + std::string(for_what) + ": all " +
          std::to_string(max_) + " connections of the pool are in use (waited " +
          std::to_string(wait_.count()) +
          " ms); retry later, or raise pool_size in the store location (and the server's "
          "max_connections)");
    }
    if (!s->idle.empty()) {
      std::unique_ptr<Connection> c = std::move(s->idle.back());
      s->idle.pop_back();
      if (reused) *reused = true;
      return c;
    }
    ++s->open;  // reserved: connect outside the lock
  }
  Result<std::unique_ptr<Connection>> c = Connection::Open(endpoint_);
  if (!c.ok()) {
    {
      auto s = state_.lock();
      --s->open;
    }
    cv_.notify_one();
  }
  return c;
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  if (!conn) return;
  bool keep = conn->Reusable();
  {
    auto s = state_.lock();
    if (keep) {
      s->idle.push_back(std::move(conn));
    } else {
      --s->open;
    }
  }
  conn.reset();  // closed outside the lock when not kept
  cv_.notify_one();
}

void Pool::Discard(std::unique_ptr<Connection> conn) {
  if (!conn) return;
  conn.reset();
  {
    auto s = state_.lock();
    --s->open;
  }
  cv_.notify_one();
}

// --- values -----------------------------------------------------------------------------------

int64_t Int(const PGresult* r, int row, int col) {
  std::string_view b = Bytes(r, row, col);
  switch (b.size()) {
    case 8:
      return static_cast<int64_t>(BigEndian(b));
    case 4:
      return static_cast<int32_t>(static_cast<uint32_t>(BigEndian(b)));
    case 2:
      return static_cast<int16_t>(static_cast<uint16_t>(BigEndian(b)));
    default:
      return 0;
  }
}

bool Bool(const PGresult* r, int row, int col) {
  std::string_view b = Bytes(r, row, col);
  return b.size() == 1 && b[0] != 0;
}

double Float8(const PGresult* r, int row, int col) {
  std::string_view b = Bytes(r, row, col);
  if (b.size() != 8) return 0;
  uint64_t bits = BigEndian(b);
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

std::optional<int64_t> TextInt(const PGresult* r, int row, int col) {
  if (row >= PQntuples(r) || IsNull(r, row, col)) return std::nullopt;
  return core::ParseInt(Bytes(r, row, col));
}

}  // namespace meabridge::store::postgres
