// The sql source kind: the secretariat's own database, read through Poco::Data (SQLite,
// PostgreSQL, MySQL/MariaDB) with the configured query; each row is mapped like a CSV row
// (Mapping::MapRow: columns by name, NULL as null). Rows are fetched in batches, so memory
// stays flat. {secret} in the connection stands for the source's secret; {since} in the query
// is a bound parameter (never text pasted into SQL) carrying the watermark.
#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <mutex>

#include "harvest/sources/source.h"

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

class SqlSource final : public Source {
 public:
  explicit SqlSource(const config::SourceConfig& cfg) : cfg_(cfg) {}

  Status Read(RunContext& ctx) override {
    RegisterConnectors();
    MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, ctx.mapping());
    std::string connection = cfg_.connection;
    for (size_t at; (at = connection.find("{secret}")) != std::string::npos;) {
      connection.replace(at, 8, ctx.secret);
    }
    // {since} becomes a placeholder bound to the watermark (or to the epoch on a full run,
    // so that the same query serves both).
    std::string sql = cfg_.query;
    std::vector<std::string> text_binds;
    std::vector<Poco::Int64> int_binds;
    const bool as_int = cfg_.since_format == "epoch-ms";
    core::EpochMs since = ctx.incremental && ctx.since ? *ctx.since : 0;
    int n = 0;
    for (size_t at; (at = sql.find("{since}")) != std::string::npos;) {
      ++n;
      std::string placeholder = cfg_.driver == "postgresql" ? "$" + std::to_string(n) : "?";
      sql.replace(at, 7, placeholder);
      if (as_int) {
        int_binds.push_back(since);
      } else {
        text_binds.push_back(FormatSince(since, cfg_.since_format));
      }
    }
    const std::string where = "source '" + cfg_.name + "' (" + cfg_.driver + ")";
    try {
      Poco::Data::Session session(ConnectorKey(cfg_.driver), connection);
      Poco::Data::Statement stmt(session);
      stmt << sql;
      for (Poco::Int64& v : int_binds) stmt, Poco::Data::Keywords::useRef(v);
      for (std::string& v : text_binds) stmt, Poco::Data::Keywords::useRef(v);
      stmt, Poco::Data::Keywords::limit(kBatch);
      if (!ctx.server_time) ctx.server_time = ctx.clock.NowMs();
      size_t row_number = 0;
      // The column slots and parameters, prepared once for all the rows.
      MB_ASSIGN_OR_RETURN(std::unique_ptr<mapping::RowMapper> mapper, m->NewRowMapper(ctx.params));
      std::vector<std::string> names;
      mapping::Row row;
      while (!stmt.done()) {
        if (ctx.stop.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");
        stmt.execute();
        Poco::Data::RecordSet rs(stmt);
        const size_t cols = rs.columnCount();
        if (names.size() != cols) {
          names.clear();
          for (size_t c = 0; c < cols; ++c) names.push_back(rs.columnName(c));
        }
        const size_t rows = rs.rowCount();
        ++ctx.pages;
        for (size_t r = 0; r < rows; ++r) {
          ++row_number;
          row.clear();
          std::string problem;
          for (size_t c = 0; c < cols; ++c) {
            if (rs.isNull(c, r)) {
              row.emplace_back(names[c], std::nullopt);
              continue;
            }
            try {
              std::string text = rs.value(c, r).convert<std::string>();
              ctx.bytes += static_cast<int64_t>(text.size());
              row.emplace_back(names[c], std::move(text));
            } catch (const Poco::Exception& e) {
              problem = "column '" + names[c] + "' cannot be read as text: " + e.displayText();
              break;
            }
          }
          std::string position = "row " + std::to_string(row_number);
          if (!problem.empty()) {
            mapping::Reject rej;
            rej.position = position;
            rej.rule = "sql";
            rej.message = problem;
            MB_RETURN_IF_ERROR(ctx.spool.OnReject(std::move(rej)));
            continue;
          }
          Status s = mapper->Map(row, position, ctx.spool);
          if (!s.ok()) {
            if (s.code() == Status::Code::kAborted) return s;
            return s.WithContext(where + ", " + position);
          }
        }
        ctx.ReportProgress("fetch");
        if (rows == 0) break;
      }
    } catch (const Poco::Exception& e) {
      return Status::IoError(where + ": " + ctx.redactor.Text(e.displayText()) +
                             " (check driver, connection and query)");
    }
    return Status::Ok();
  }

 private:
  const config::SourceConfig& cfg_;
};

}  // namespace

void RegisterSqlSource(SourceRegistry& registry) {
  registry.Add("sql", [](const config::SourceConfig& cfg) -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<SqlSource>(cfg));
  });
}

}  // namespace meabridge::harvest
