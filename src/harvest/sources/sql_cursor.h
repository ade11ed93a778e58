// The sql source's view of one query's result (internal to sources/): rows visited one at a
// time, fetched in batches, with what the merge of child queries needs (column names, the key
// column's type, cells as text). Two readers: Poco::Data for SQLite and PostgreSQL
// (sql_source.cc), and MariaDB Connector/C for MySQL/MariaDB (mariadb_cursor.cc: unbuffered
// prepared statements, so a result streams from the server whatever its size, one connection
// per query; Debian 12's Poco 1.12.4 MySQL connector also crashes on TEXT and LONGTEXT columns,
// pocoproject/poco#5424, which the toolkit's views are full of).
//
// Errors (connection, query, fetch) are thrown as Poco::Exception with the driver's message;
// the sql source turns them into the run's error, naming the query.
//
// Thread-compatible: one run's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mapping/mapping.h"

namespace meabridge::harvest {

// How keys compare: as the key column is typed.
enum class KeyKind { kInteger, kText, kOther };

// A query with {since} replaced by placeholders bound to the watermark.
struct BoundQuery {
  std::string sql;
  std::vector<int64_t> ints;
  std::vector<std::string> texts;
};

class Cursor {
 public:
  // `label` names the query in messages: "the main query", "child 'title'".
  Cursor(BoundQuery query, std::string label)
      : query_(std::move(query)), label_(std::move(label)) {}
  virtual ~Cursor() = default;

  // Runs the query and reads up to its first row (names() are known after it).
  virtual void Start() = 0;
  // Moves to the next row (AtEnd() after the last).
  virtual void Next() = 0;
  // The current row's cell as text (nullopt for NULL): what the database wrote, date-times
  // without an offset. Throws Poco::Exception when a value cannot be read as text.
  virtual std::optional<std::string> Text(size_t col) const = 0;
  // The type class of a column (integer, text or other).
  virtual KeyKind KindOfColumn(int col) const = 0;

  bool AtEnd() const { return at_end_; }
  // The current row's number in the query's result, from 1.
  int64_t row_number() const { return row_number_; }
  // Batches fetched so far (a batch is about 1,000 rows): the run's page count.
  int64_t batches() const { return batches_; }
  const std::vector<std::string>& names() const { return names_; }
  const std::string& label() const { return label_; }
  const std::string& sql() const { return query_.sql; }
  std::string Describe() const { return label_ + " (" + query_.sql + ")"; }
  // The index of the column `name` (as mapping::FindRowColumn: exact, else ignoring case), or -1.
  int Column(const std::string& name) const { return mapping::FindRowColumn(names_, name); }

 protected:
  BoundQuery query_;
  std::string label_;
  std::vector<std::string> names_;
  int64_t row_number_ = 0;
  int64_t batches_ = 0;
  bool at_end_ = false;
};

// A MySQL/MariaDB cursor on a connection of its own. `connection` is Poco's MySQL form:
// "host=...;port=...;db=...;user=...;password=..." (also socket, character-set). The session's
// time zone is UTC (SET time_zone = '+00:00').
std::unique_ptr<Cursor> NewMariadbCursor(const std::string& connection, BoundQuery query,
                                         std::string label);

}  // namespace meabridge::harvest
