// The sql source kind: the secretariat's own database, read through Poco::Data (SQLite,
// PostgreSQL, MySQL/MariaDB) with the configured query; each row is mapped like a CSV row
// (Mapping::NewRowMapper: columns by name, NULL as null). Rows are fetched in batches, so memory
// stays flat. {secret} in the connection stands for the source's secret; {since} in a query
// is a bound parameter (never text pasted into SQL) carrying the watermark.
//
// Child rows (docs/harvesting.md#child-rows): a source may declare <child> queries whose rows
// belong to the main query's records (one row per language, per file, per treaty), each with
// a key column referring to the main query's key column. All queries are ordered by their
// key; they are read side by side in batches and merged, so a record's children are collected
// while its main row is at hand and nothing is held beyond one record (no query per record).
// Keys are compared the way the main query's key column is typed: integers by value, text
// byte by byte. A query that is not ordered that way fails the run (it cannot be merged
// without holding a whole table); a child row whose key matches no main row is a reject
// (rule "orphan"); a main row whose key repeats the previous one gets the same children and
// is then rejected by the spool as a repeated id (rule "duplicate-id").
#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Date.h>
#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/Format.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "core/strings.h"
#include "core/time_zone.h"
#include "harvest/sources/source.h"
#include "harvest/sources/sql_cursor.h"

namespace meabridge::harvest {
namespace {

constexpr size_t kBatch = 1000;

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
    Poco::Data::MySQL::Connector::registerConnector();
  });
}

const std::string& ConnectorKey(const std::string& driver) {
  if (driver == "postgresql") return Poco::Data::PostgreSQL::Connector::KEY;
  if (driver == "mysql") return Poco::Data::MySQL::Connector::KEY;
  return Poco::Data::SQLite::Connector::KEY;
}

KeyKind KindOf(Poco::Data::MetaColumn::ColumnDataType type) {
  using M = Poco::Data::MetaColumn;
  switch (type) {
    case M::FDT_INT8:
    case M::FDT_UINT8:
    case M::FDT_INT16:
    case M::FDT_UINT16:
    case M::FDT_INT32:
    case M::FDT_UINT32:
    case M::FDT_INT64:
    case M::FDT_UINT64:
      return KeyKind::kInteger;
    case M::FDT_STRING:
    case M::FDT_WSTRING:
    case M::FDT_CLOB:
    case M::FDT_BLOB:
    case M::FDT_UUID:
      return KeyKind::kText;
    default:
      return KeyKind::kOther;
  }
}

const char* KindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kInteger:
      return "an integer";
    case KeyKind::kText:
      return "text";
    case KeyKind::kOther:
      break;
  }
  return "neither integer nor text";
}

struct Key {
  bool null = true;
  bool integer = false;
  int64_t number = 0;
  std::string text;
  std::string Show() const { return null ? "NULL" : integer ? std::to_string(number) : text; }
};

// <0, 0, >0. REQUIRES: neither is null.
int Compare(const Key& a, const Key& b, KeyKind kind) {
  if (kind == KeyKind::kInteger) return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  return a.text.compare(b.text);
}

BoundQuery Bind(const std::string& query, const config::SourceConfig& cfg, const RunContext& ctx) {
  BoundQuery q;
  q.sql = query;
  const bool as_int = cfg.since_format == "epoch-ms";
  core::EpochMs since = ctx.incremental && ctx.since ? *ctx.since : 0;
  int n = 0;
  for (size_t at; (at = q.sql.find("{since}")) != std::string::npos;) {
    ++n;
    std::string placeholder = cfg.driver == "postgresql" ? "$" + std::to_string(n) : "?";
    q.sql.replace(at, 7, placeholder);
    if (as_int) {
      q.ints.push_back(since);
    } else {
      q.texts.push_back(FormatSince(since, cfg.since_format));
    }
  }
  return q;
}

// A DATETIME / TIMESTAMP value as the database wrote it, without an offset: Poco's own text
// ends in "Z", which would claim UTC for what is the server's (or the source's time-zone's)
// wall-clock time. The mapping's date step reads it in the source's time-zone.
std::string LocalText(const Poco::DateTime& t) {
  std::string s = Poco::format("%04d-%02d-%02d %02d:%02d:%02d", t.year(), t.month(), t.day(),
                               t.hour(), t.minute(), t.second());
  if (t.millisecond() != 0) s += Poco::format(".%03d", t.millisecond());
  return s;
}

// A query through Poco::Data (SQLite, PostgreSQL), read in batches of kBatch rows.
class PocoCursor final : public Cursor {
 public:
  PocoCursor(Poco::Data::Session& session, BoundQuery query, std::string label)
      : Cursor(std::move(query), std::move(label)), stmt_(session) {}

  void Start() override {
    stmt_ << query_.sql;
    for (int64_t& v : query_.ints) stmt_, Poco::Data::Keywords::useRef(v);
    for (std::string& v : query_.texts) stmt_, Poco::Data::Keywords::useRef(v);
    stmt_, Poco::Data::Keywords::limit(kBatch);
    Load();
    if (rs_) {
      for (size_t c = 0; c < rs_->columnCount(); ++c) names_.push_back(rs_->columnName(c));
    }
  }

  KeyKind KindOfColumn(int col) const override {
    return rs_ ? KindOf(rs_->columnType(static_cast<size_t>(col))) : KeyKind::kOther;
  }

  std::optional<std::string> Text(size_t col) const override {
    if (rs_->isNull(col, row_)) return std::nullopt;
    const Poco::Dynamic::Var& v = rs_->value(col, row_);
    if (v.type() == typeid(Poco::DateTime)) return LocalText(v.extract<Poco::DateTime>());
    if (v.type() == typeid(Poco::Data::Date)) {
      const auto& d = v.extract<Poco::Data::Date>();
      return Poco::format("%04d-%02d-%02d", d.year(), d.month(), d.day());
    }
    return v.convert<std::string>();
  }

  void Next() override {
    if (at_end_) return;
    if (++row_ >= rows_) Load();
    if (!at_end_) ++row_number_;
  }

 private:
  void Load() {
    row_ = 0;
    rows_ = 0;
    if (started_ && stmt_.done()) {
      at_end_ = true;
      return;
    }
    started_ = true;
    stmt_.execute();
    rs_ = std::make_unique<Poco::Data::RecordSet>(stmt_);
    rows_ = rs_->rowCount();
    ++batches_;
    if (rows_ == 0) {
      at_end_ = true;
    } else if (row_number_ == 0) {
      row_number_ = 1;
    }
  }

  Poco::Data::Statement stmt_;
  std::unique_ptr<Poco::Data::RecordSet> rs_;
  size_t row_ = 0, rows_ = 0;
  bool started_ = false;
};

// The current row's key: an integer column's value, or the text.
Key KeyAt(const Cursor& cursor, int col, KeyKind kind) {
  Key k;
  std::optional<std::string> text = cursor.Text(static_cast<size_t>(col));
  if (!text) return k;
  k.null = false;
  if (kind == KeyKind::kInteger) {
    std::optional<int64_t> n = core::ParseInt(*text);
    if (!n) {
      throw Poco::DataException("the key " + cursor.names()[static_cast<size_t>(col)] + " '" +
                                *text + "' is not an integer");
    }
    k.integer = true;
    k.number = *n;
  } else {
    k.text = std::move(*text);
  }
  return k;
}

// A child query being merged: its cursor, key column and the rows of the current record.
struct ChildStream {
  const config::ChildQueryConfig* cfg = nullptr;
  std::unique_ptr<Cursor> cursor;
  int key_col = -1;
  Key last;                         // the previous row's key (order check)
  mapping::ChildRows* rows = nullptr;  // the current record's rows (in the mapper's list)
  std::string problem;  // a cell of the current record's rows that could not be read
};

class SqlSource final : public Source {
 public:
  explicit SqlSource(const config::SourceConfig& cfg) : cfg_(cfg) {}

  Status Read(RunContext& ctx) override {
    RegisterConnectors();
    MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, ctx.mapping());
    const std::string who = "source '" + cfg_.name + "'";
    MB_RETURN_IF_ERROR(CheckSqlChildren(cfg_, *m));
    std::string connection = cfg_.connection;
    for (size_t at; (at = connection.find("{secret}")) != std::string::npos;) {
      connection.replace(at, 8, ctx.secret);
    }
    const std::string where = who + " (" + cfg_.driver + ")";
    mapping::RowOptions options;
    options.default_language = cfg_.default_language;
    if (!cfg_.time_zone.empty()) {
      Result<core::TimeZone> zone = core::TimeZone::Parse(cfg_.time_zone);
      if (!zone.ok()) return zone.status().WithContext(who);
      options.time_zone = *zone;
    }
    auto mapper_or = m->NewRowMapper(ctx.params, options);
    if (!mapper_or.ok()) return mapper_or.status().WithContext(who);
    std::unique_ptr<mapping::RowMapper> mapper = std::move(*mapper_or);
    std::string active;  // the query being read, for Poco's errors: "the main query (SELECT ...)"
    try {
      // MySQL/MariaDB: a connection per query (mariadb_cursor.cc); the others: one Poco
      // session for all.
      const bool mysql = cfg_.driver == "mysql";
      std::unique_ptr<Poco::Data::Session> session;
      if (!mysql) {
        session = std::make_unique<Poco::Data::Session>(ConnectorKey(cfg_.driver), connection);
      }
      auto open = [&](const std::string& query, std::string label) -> std::unique_ptr<Cursor> {
        if (mysql) return NewMariadbCursor(connection, Bind(query, cfg_, ctx), std::move(label));
        return std::make_unique<PocoCursor>(*session, Bind(query, cfg_, ctx), std::move(label));
      };
      std::unique_ptr<Cursor> main_cursor = open(cfg_.query, "the main query");
      Cursor& main = *main_cursor;
      active = main.Describe();
      main.Start();
      std::vector<ChildStream> children(cfg_.children.size());
      std::vector<mapping::ChildRows> groups(children.size());
      for (size_t i = 0; i < children.size(); ++i) {
        ChildStream& c = children[i];
        c.cfg = &cfg_.children[i];
        c.cursor = open(c.cfg->query, "child '" + c.cfg->name + "'");
        active = c.cursor->Describe();
        c.cursor->Start();
        c.rows = &groups[i];
        c.rows->name = c.cfg->name;
        c.rows->columns = c.cursor->names();
      }
      active = main.Describe();
      if (!ctx.server_time) ctx.server_time = ctx.clock.NowMs();

      // The key columns, and their types.
      int main_key = -1;
      KeyKind kind = KeyKind::kText;
      if (!children.empty()) {
        main_key = main.Column(cfg_.key);
        if (main_key < 0) {
          return Status::InvalidArgument(where + ": the main query has no key column '" +
                                         cfg_.key + "' (its columns: " +
                                         core::Join(main.names(), ", ") + "; query: " +
                                         main.sql() + ")");
        }
        kind = main.KindOfColumn(main_key);
        for (ChildStream& c : children) {
          c.key_col = c.cursor->Column(c.cfg->key);
          if (c.key_col < 0) {
            return Status::InvalidArgument(
                where + ": child '" + c.cfg->name + "' has no key column '" + c.cfg->key +
                "' (its columns: " + core::Join(c.cursor->names(), ", ") +
                "; query: " + c.cursor->sql() + ")");
          }
          KeyKind ck = c.cursor->KindOfColumn(c.key_col);
          if (main.AtEnd() || c.cursor->AtEnd()) continue;  // an empty result types nothing
          if (ck != kind || kind == KeyKind::kOther) {
            return Status::InvalidArgument(
                where + ": child '" + c.cfg->name + "' key column '" + c.cfg->key + "' is " +
                KindName(ck) + " where the main query's key column '" + cfg_.key + "' is " +
                KindName(kind) +
                "; keys are compared as the main key's type: make both integer or both text "
                "(CAST(" + c.cfg->key + " AS ...)) (query: " + c.cursor->sql() + ")");
          }
        }
      }

      mapping::Row row;
      Key previous;  // the previous main row's key
      int64_t batches = 0;
      for (; !main.AtEnd(); main.Next()) {
        if (main.batches() != batches) {
          batches = main.batches();
          ++ctx.pages;
          ctx.ReportProgress("fetch");
          if (ctx.stop.stop_requested()) {
            return Status::Aborted("stopped (shutdown or run timeout)");
          }
        }
        const std::string position = "row " + std::to_string(main.row_number());
        row.clear();
        std::string problem;
        for (size_t c = 0; c < main.names().size(); ++c) {
          try {
            std::optional<std::string> text = main.Text(c);
            if (text) ctx.bytes += static_cast<int64_t>(text->size());
            row.emplace_back(main.names()[c], std::move(text));
          } catch (const Poco::Exception& e) {
            problem = "column '" + main.names()[c] + "' cannot be read as text: " + e.displayText();
            break;
          }
        }
        if (!children.empty()) {
          Key key = KeyAt(main, main_key, kind);
          if (key.null) {
            if (problem.empty()) {
              problem = "the key column '" + cfg_.key +
                        "' is NULL: its child rows cannot be told apart (a NULL key belongs "
                        "to no record)";
            }
          } else {
            const bool repeated = !previous.null && Compare(key, previous, kind) == 0;
            if (!previous.null && Compare(key, previous, kind) < 0) {
              return NotOrdered(where, main, cfg_.key, previous, key);
            }
            if (!repeated) {
              // A repeated key keeps the children it collected (the spool rejects the record).
              for (ChildStream& c : children) {
                MB_RETURN_IF_ERROR(Collect(ctx, where, c, key, kind));
              }
            }
            previous = key;
          }
          for (ChildStream& c : children) {
            if (problem.empty() && !c.problem.empty()) problem = c.problem;
          }
        }
        if (!problem.empty()) {
          mapping::Reject rej;
          rej.position = position;
          rej.rule = "sql";
          rej.message = problem;
          MB_RETURN_IF_ERROR(ctx.spool.OnReject(std::move(rej)));
          continue;
        }
        Status s = mapper->Map(row, groups, position, ctx.spool);
        if (!s.ok()) {
          if (s.code() == Status::Code::kAborted) return s;
          return s.WithContext(where + ", " + position);
        }
      }
      // What is left of the children belongs to no main row.
      Key end;
      for (ChildStream& c : children) {
        active = c.cursor->Describe();
        MB_RETURN_IF_ERROR(Collect(ctx, where, c, end, kind));
      }
      ctx.ReportProgress("fetch");
    } catch (const Poco::Exception& e) {
      return Status::IoError(where + (active.empty() ? "" : ", " + active) + ": " + ctx.redactor.Text(e.displayText()) +
                             " (check driver, connection and query)");
    }
    return Status::Ok();
  }

 private:
  static Status NotOrdered(const std::string& where, const Cursor& cursor, const std::string& column,
                           const Key& before, const Key& now) {
    return Status::InvalidArgument(
        where + ": " + cursor.label() + " is not ordered by " + column +
        " the way meabridge merges child rows (integers by value, text byte by byte): '" +
        before.Show() + "' came before '" + now.Show() + "' at row " +
        std::to_string(cursor.row_number()) + "; add ORDER BY " + column +
        " (text keys in MySQL/MariaDB: ORDER BY BINARY " + column + "; PostgreSQL: ORDER BY " +
        column + " COLLATE \"C\") (query: " + cursor.sql() + ")");
  }

  // Whether every column of the cursor's row is NULL: the InforMEA toolkit's views for
  // navigation properties it never filled are `SELECT NULL id, NULL document_id, ... FROM
  // DUAL`, one row of NULLs that belongs to no record and holds nothing (like an item whose
  // every field is empty, it is left out, not an orphan).
  static bool EveryCellNull(const Cursor& cur, size_t width) {
    for (size_t col = 0; col < width; ++col) {
      try {
        if (cur.Text(col)) return false;
      } catch (const Poco::Exception&) {
        return false;
      }
    }
    return true;
  }

  // Moves child `c` up to `key`: rows with smaller keys are orphans (rejects), rows with this
  // key become the record's child rows (a row of NULLs only is skipped). A null `key`: every
  // row left is an orphan.
  Status Collect(RunContext& ctx, const std::string& where, ChildStream& c, const Key& key,
                 KeyKind kind) {
    c.rows->cells.clear();
    c.problem.clear();
    Cursor& cur = *c.cursor;
    const size_t width = c.rows->columns.size();
    for (; !cur.AtEnd(); cur.Next()) {
      Key k = KeyAt(cur, c.key_col, kind);
      if (!k.null && !c.last.null && Compare(k, c.last, kind) < 0) {
        return NotOrdered(where, cur, c.cfg->key, c.last, k);
      }
      if (!k.null) c.last = k;
      if (k.null && EveryCellNull(cur, width)) continue;  // a placeholder: nothing to lose
      const int cmp = k.null ? -1 : key.null ? -1 : Compare(k, key, kind);
      if (cmp > 0) break;  // a later record's
      if (cmp < 0) {
        mapping::Reject rej;
        rej.position = "child '" + c.cfg->name + "' row " + std::to_string(cur.row_number());
        rej.field = c.cfg->name;
        rej.rule = "orphan";
        rej.value = k.Show();
        rej.message = "a row of child '" + c.cfg->name + "' whose " + c.cfg->key + " " +
                      (k.null ? "is NULL" : "'" + k.Show() + "'") +
                      " matches no row of the main query (key column '" + cfg_.key +
                      "'): it belongs to no record and is not harvested; check the child "
                      "query's join and the main query's WHERE";
        MB_RETURN_IF_ERROR(ctx.spool.OnReject(std::move(rej)));
        continue;
      }
      for (size_t col = 0; col < width; ++col) {
        try {
          std::optional<std::string> text = cur.Text(col);
          if (text) ctx.bytes += static_cast<int64_t>(text->size());
          c.rows->cells.push_back(std::move(text));
        } catch (const Poco::Exception& e) {
          c.rows->cells.emplace_back(std::nullopt);
          if (c.problem.empty()) {
            c.problem = "child '" + c.cfg->name + "' row " + std::to_string(cur.row_number()) +
                        ": column '" + c.rows->columns[col] +
                        "' cannot be read as text: " + e.displayText();
          }
        }
      }
    }
    return Status::Ok();
  }

  const config::SourceConfig& cfg_;
};

}  // namespace

Status CheckSqlChildren(const config::SourceConfig& source, const mapping::Mapping& m) {
  const std::string who = "source '" + source.name + "'";
  for (const std::string& name : m.children()) {
    bool declared = false;
    for (const config::ChildQueryConfig& c : source.children) declared |= c.name == name;
    if (!declared) {
      return Status::InvalidArgument(who + ": the mapping " + m.file() + " reads child rows '" +
                                     name + "' (" + name + "/*) but the source declares no " +
                                     "<child name=\"" + name + "\" query=\"...\" key=\"...\"/>");
    }
  }
  for (const config::ChildQueryConfig& c : source.children) {
    const auto& read = m.children();
    if (std::find(read.begin(), read.end(), c.name) == read.end()) {
      return Status::InvalidArgument(who + ": child '" + c.name + "' is never read by the mapping " +
                                     m.file() + " (no path " + c.name +
                                     "/*): its rows would be fetched and dropped; map them or "
                                     "remove the <child>");
    }
  }
  if (!source.children.empty() && source.key.empty()) {
    return Status::InvalidArgument(who + " has <child> queries but no key=\"...\" (the main "
                                   "query's key column)");
  }
  return Status::Ok();
}

Result<std::vector<QueryColumns>> DescribeSqlQueries(const config::SourceConfig& source,
                                                     const std::string& secret) {
  RegisterConnectors();
  std::string connection = source.connection;
  for (size_t at; (at = connection.find("{secret}")) != std::string::npos;) {
    connection.replace(at, 8, secret);
  }
  Redactor redactor(secret.empty() ? std::vector<std::string>{} : std::vector<std::string>{secret});
  const std::string where = "source '" + source.name + "' (" + source.driver + ")";
  std::vector<std::pair<std::string, std::string>> queries = {{"the main query", source.query}};
  for (const config::ChildQueryConfig& c : source.children) {
    queries.emplace_back("child '" + c.name + "'", c.query);
  }
  std::vector<QueryColumns> out;
  std::string active;
  try {
    std::unique_ptr<Poco::Data::Session> session;
    if (source.driver != "mysql") {
      session = std::make_unique<Poco::Data::Session>(ConnectorKey(source.driver), connection);
    }
    for (const auto& [label, query] : queries) {
      active = label + " (" + query + ")";
      BoundQuery q;
      q.sql = "SELECT * FROM (" + query + ") AS q LIMIT 0";
      int n = 0;
      for (size_t at; (at = q.sql.find("{since}")) != std::string::npos;) {
        q.sql.replace(at, 7, source.driver == "postgresql" ? "$" + std::to_string(++n) : "?");
        if (source.since_format == "epoch-ms") {
          q.ints.push_back(0);
        } else {
          q.texts.push_back(FormatSince(0, source.since_format));
        }
      }
      std::unique_ptr<Cursor> cursor =
          source.driver == "mysql" ? NewMariadbCursor(connection, std::move(q), label)
                                   : std::make_unique<PocoCursor>(*session, std::move(q), label);
      cursor->Start();
      out.push_back(QueryColumns{label, cursor->names()});
    }
  } catch (const Poco::Exception& e) {
    return Status::IoError(where + (active.empty() ? "" : ", " + active) + ": " +
                           redactor.Text(e.displayText()));
  }
  return out;
}

std::vector<std::string> SqlColumnProblems(const config::SourceConfig& source,
                                           const mapping::Mapping& m,
                                           const std::vector<QueryColumns>& described) {
  std::vector<std::string> out;
  const std::string who = "source '" + source.name + "': ";
  auto has = [](const QueryColumns& q, const std::string& column) {
    return mapping::FindRowColumn(q.columns, column) >= 0;
  };
  auto list = [](const QueryColumns& q) { return q.label + ": " + core::Join(q.columns, ", "); };
  if (described.empty()) return out;
  if (!source.children.empty() && !has(described[0], source.key)) {
    out.push_back(who + "the main query has no key column '" + source.key + "' (" +
                  list(described[0]) + ")");
  }
  for (size_t i = 0; i < source.children.size() && i + 1 < described.size(); ++i) {
    if (!has(described[i + 1], source.children[i].key)) {
      out.push_back(who + described[i + 1].label + " has no key column '" +
                    source.children[i].key + "' (" + list(described[i + 1]) + ")");
    }
  }
  for (const mapping::RowColumn& read : m.columns()) {
    const std::string& column = read.column;
    if (read.child == "*") {  // rows the mapping's cases choose: any query's
      bool found = false;
      for (const QueryColumns& q : described) found = found || has(q, column);
      if (found) continue;
      std::string all;
      for (const QueryColumns& q : described) all += (all.empty() ? "" : "; ") + list(q);
      out.push_back(who + "the mapping " + m.file() + " reads column '" + column +
                    "', which none of the queries returns (" + all + ")");
      continue;
    }
    // The query of those rows: the main query, or the child's (an undeclared child is
    // CheckSqlChildren's error).
    size_t at = 0;
    if (!read.child.empty()) {
      at = described.size();
      for (size_t i = 0; i < source.children.size() && i + 1 < described.size(); ++i) {
        if (source.children[i].name == read.child) at = i + 1;
      }
      if (at == described.size()) continue;
    }
    if (has(described[at], column)) continue;
    out.push_back(who + "the mapping " + m.file() + " reads column '" + column + "' from " +
                  (read.child.empty() ? "the main row" : "child '" + read.child + "' rows") +
                  ", which " + described[at].label + " does not return (" + list(described[at]) +
                  ")");
  }
  return out;
}

void RegisterSqlSource(SourceRegistry& registry) {
  registry.Add("sql", [](const config::SourceConfig& cfg) -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<SqlSource>(cfg));
  });
}

}  // namespace meabridge::harvest
