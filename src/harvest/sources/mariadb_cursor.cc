// The MySQL/MariaDB reader of sql sources (sql_cursor.h): MariaDB Connector/C prepared
// statements fetched unbuffered (rows stream from the server as they are read; no
// mysql_stmt_store_result), every column bound as text. A value longer than its buffer is
// fetched again into a larger one (mysql_stmt_fetch_column), and the larger buffer is bound for
// the rows after it.
#include <Poco/Exception.h>
#include <mysql.h>

#include <cstring>

#include "core/strings.h"
#include "harvest/sources/sql_cursor.h"

namespace meabridge::harvest {
namespace {

constexpr size_t kBatch = 1000;
constexpr unsigned long kInitialBuffer = 256;

struct MysqlParams {
  std::string host = "localhost", user, password, db, socket, charset = "utf8mb4";
  unsigned int port = 3306;
};

MysqlParams ParseConnection(const std::string& connection) {
  MysqlParams p;
  for (const std::string& part : core::Split(connection, ';')) {
    std::string_view item = core::Trim(part);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      throw Poco::InvalidArgumentException("the connection part '" + std::string(item) +
                                           "' is not KEY=VALUE");
    }
    std::string key = core::AsciiLower(core::Trim(item.substr(0, eq)));
    std::string value(core::Trim(item.substr(eq + 1)));
    if (key == "host") {
      p.host = value;
    } else if (key == "port") {
      auto n = core::ParseInt(value);
      if (!n || *n <= 0 || *n > 65535) {
        throw Poco::InvalidArgumentException("port '" + value + "' is not a TCP port");
      }
      p.port = static_cast<unsigned int>(*n);
    } else if (key == "user") {
      p.user = value;
    } else if (key == "password") {
      p.password = value;
    } else if (key == "db") {
      p.db = value;
    } else if (key == "socket") {
      p.socket = value;
    } else if (key == "character-set") {
      p.charset = value;
    } else {
      throw Poco::InvalidArgumentException(
          "unknown connection key '" + key +
          "' (MySQL/MariaDB: host, port, db, user, password, socket, character-set)");
    }
  }
  return p;
}

class MariadbCursor final : public Cursor {
 public:
  MariadbCursor(const std::string& connection, BoundQuery query, std::string label)
      : Cursor(std::move(query), std::move(label)), connection_(connection) {}

  ~MariadbCursor() override {
    if (stmt_) mysql_stmt_close(stmt_);
    if (meta_) mysql_free_result(meta_);
    if (db_) mysql_close(db_);
  }

  void Start() override {
    MysqlParams p = ParseConnection(connection_);
    db_ = mysql_init(nullptr);
    if (!db_) throw Poco::IOException("mysql_init: out of memory");
    mysql_options(db_, MYSQL_SET_CHARSET_NAME, p.charset.c_str());
    if (!mysql_real_connect(db_, p.host.c_str(), p.user.c_str(), p.password.c_str(),
                            p.db.empty() ? nullptr : p.db.c_str(), p.port,
                            p.socket.empty() ? nullptr : p.socket.c_str(), 0)) {
      throw Poco::IOException("cannot connect to " + p.host + ":" + std::to_string(p.port) + ": " +
                              mysql_error(db_));
    }
    // FROM_UNIXTIME, NOW() and TIMESTAMP columns answer in UTC (docs/harvesting.md#time-zones).
    // net_write_timeout: a streamed result waits for the client while the source's other
    // queries run (a child query sorting millions of rows before its first): the server's
    // default of 60 s cut a 400k-decision harvest short ("fetch: Lost connection"); an hour
    // is the longest a query of a run waits for its turn.
    if (mysql_query(db_, "SET time_zone = '+00:00', net_write_timeout = 3600") != 0) {
      throw Poco::IOException(std::string("SET time_zone, net_write_timeout: ") +
                              mysql_error(db_));
    }
    stmt_ = mysql_stmt_init(db_);
    if (!stmt_) throw Poco::IOException(std::string("mysql_stmt_init: ") + mysql_error(db_));
    if (mysql_stmt_prepare(stmt_, query_.sql.c_str(), query_.sql.size()) != 0) Fail("prepare");
    // {since}: the integers, then the texts, as Bind() numbered them.
    std::vector<MYSQL_BIND> params(query_.ints.size() + query_.texts.size());
    size_t i = 0;
    for (int64_t& v : query_.ints) {
      std::memset(&params[i], 0, sizeof(MYSQL_BIND));
      params[i].buffer_type = MYSQL_TYPE_LONGLONG;
      params[i].buffer = &v;
      ++i;
    }
    std::vector<unsigned long> text_lengths(query_.texts.size());
    for (size_t t = 0; t < query_.texts.size(); ++t, ++i) {
      std::memset(&params[i], 0, sizeof(MYSQL_BIND));
      text_lengths[t] = query_.texts[t].size();
      params[i].buffer_type = MYSQL_TYPE_STRING;
      params[i].buffer = query_.texts[t].data();
      params[i].buffer_length = text_lengths[t];
      params[i].length = &text_lengths[t];
    }
    if (!params.empty() && mysql_stmt_bind_param(stmt_, params.data()) != 0) Fail("bind");
    if (mysql_stmt_execute(stmt_) != 0) Fail("execute");
    meta_ = mysql_stmt_result_metadata(stmt_);
    if (!meta_) Fail("the statement returns no rows");
    const unsigned int n = mysql_num_fields(meta_);
    MYSQL_FIELD* fields = mysql_fetch_fields(meta_);
    names_.clear();
    types_.clear();
    for (unsigned int c = 0; c < n; ++c) {
      names_.emplace_back(fields[c].name, fields[c].name_length);
      types_.push_back(fields[c].type);
    }
    buffers_.assign(n, std::string(kInitialBuffer, '\0'));
    lengths_.assign(n, 0);
    nulls_.assign(n, 0);
    errors_.assign(n, 0);
    binds_.assign(n, MYSQL_BIND{});
    for (unsigned int c = 0; c < n; ++c) Bind(c);
    if (mysql_stmt_bind_result(stmt_, binds_.data()) != 0) Fail("bind the result");
    Next();
  }

  void Next() override {
    if (at_end_) return;
    int rc = mysql_stmt_fetch(stmt_);
    if (rc == MYSQL_NO_DATA) {
      at_end_ = true;
      return;
    }
    if (rc == 1) Fail("fetch");
    if (rc == MYSQL_DATA_TRUNCATED) {
      bool rebind = false;
      for (unsigned int c = 0; c < binds_.size(); ++c) {
        if (!errors_[c] || nulls_[c]) continue;
        buffers_[c].resize(lengths_[c] + 1);
        Bind(c);
        if (mysql_stmt_fetch_column(stmt_, &binds_[c], c, 0) != 0) Fail("fetch a long value");
        rebind = true;
      }
      // Later rows use the larger buffers (the statement keeps its own copy of the binds).
      if (rebind && mysql_stmt_bind_result(stmt_, binds_.data()) != 0) Fail("bind the result");
    }
    if (row_number_ % static_cast<int64_t>(kBatch) == 0) ++batches_;
    ++row_number_;
  }

  std::optional<std::string> Text(size_t col) const override {
    if (nulls_[col]) return std::nullopt;
    return std::string(buffers_[col].data(), lengths_[col]);
  }

  KeyKind KindOfColumn(int col) const override {
    switch (types_[static_cast<size_t>(col)]) {
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONGLONG:
        return KeyKind::kInteger;
      case MYSQL_TYPE_VARCHAR:
      case MYSQL_TYPE_VAR_STRING:
      case MYSQL_TYPE_STRING:
      case MYSQL_TYPE_TINY_BLOB:
      case MYSQL_TYPE_MEDIUM_BLOB:
      case MYSQL_TYPE_LONG_BLOB:
      case MYSQL_TYPE_BLOB:
      case MYSQL_TYPE_JSON:
        return KeyKind::kText;
      default:
        return KeyKind::kOther;
    }
  }

 private:
  void Bind(unsigned int c) {
    MYSQL_BIND& b = binds_[c];
    std::memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = buffers_[c].data();
    b.buffer_length = buffers_[c].size();
    b.length = &lengths_[c];
    b.is_null = &nulls_[c];
    b.error = &errors_[c];
  }

  [[noreturn]] void Fail(const std::string& what) {
    throw Poco::IOException(what + ": " + (stmt_ ? mysql_stmt_error(stmt_) : mysql_error(db_)));
  }

  std::string connection_;
  MYSQL* db_ = nullptr;
  MYSQL_STMT* stmt_ = nullptr;
  MYSQL_RES* meta_ = nullptr;
  std::vector<enum_field_types> types_;
  std::vector<std::string> buffers_;
  std::vector<unsigned long> lengths_;
  std::vector<my_bool> nulls_, errors_;
  std::vector<MYSQL_BIND> binds_;
};

}  // namespace

std::unique_ptr<Cursor> NewMariadbCursor(const std::string& connection, BoundQuery query,
                                         std::string label) {
  return std::make_unique<MariadbCursor>(connection, std::move(query), std::move(label));
}

}  // namespace meabridge::harvest
