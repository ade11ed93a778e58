// The mapping engine's public face: an inbound mapping compiled from a mapping file (XML, or the
// equivalent JSON), run over a source document (JSON, XML or CSV) or over database rows, with
// mapped and validated records streamed to a sink and failures to the reject channel.
//
// docs/mappings.md documents the mapping file: every element, function and option.
//
// Threads: a compiled Mapping is immutable. Run() and MapRow() are const and keep their
// working state on the stack, so any number of threads may run one Mapping at once (each with
// its own ByteSource and RecordSink). The Vocabularies and Registry given to Load() must
// outlive the Mapping.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/byte_source.h"
#include "codec/doc_tree.h"
#include "core/status.h"
#include "core/time_zone.h"
#include "model/record.h"
#include "model/registry.h"
#include "vocab/vocabulary.h"

namespace meabridge::mapping {

// Mapping parameters: {param.treaty} in a mapping, given by the source definition (config
// <param>) or on the command line (--param treaty=cbd).
using Params = std::map<std::string, std::string>;

// A record that did not come through, and why. Never silently a wrong record: every reason a
// record is left out arrives here, with enough to find and fix it.
struct Reject {
  std::string record_id;  // the mapped id, or "" when the id itself failed
  // Where in the source: a JSON pointer ("/d/results/17"), an XPath
  // ("/Participants/Table/TGroup/Tbody/Rows/Row[4] (line 31)"), "line N" (CSV) or the
  // position the caller gave (SQL rows: "row N").
  std::string position;
  std::string field;    // canonical field ("country", "files[1].language"), or "" for the record
  std::string rule;     // "lookup", "date", "required", "vocabulary", "csv", ...
  std::string value;    // the raw source value, as text (cut to a readable length)
  std::string message;  // what is wrong, where the rule is (mapping file:line) and what to do

  // "position: record 'id': field 'country' = "Atlantis": lookup: ..."
  std::string ToString() const;
};

// A record's position ("/d/results/17", "row 4"), computed only when asked for: a sink asks
// only for a record it refuses (a repeated id).
class RecordPosition {
 public:
  virtual std::string Get() const = 0;

 protected:
  ~RecordPosition() = default;
};

// Receives mapped records and rejects, in source order. A non-ok status stops the run (a
// shutdown, a full spool): Run() returns that status.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status OnRecord(model::Record record) = 0;
  // The same with the record's position at hand (what Run() and MapRow() call); by default
  // OnRecord.
  virtual Status OnRecordAt(model::Record record, const RecordPosition& position) {
    (void)position;
    return OnRecord(std::move(record));
  }
  virtual Status OnReject(Reject reject) = 0;
  // A record the source marks deleted (a <deleted> rule held for it): its mapped id and its
  // position. Sinks that keep no deletions ignore it (the default).
  virtual Status OnDeleted(std::string id, std::string position) {
    (void)id;
    (void)position;
    return Status::Ok();
  }
};

// What Run() learned about a document besides its records.
struct DocumentInfo {
  // Capture path -> scalar text, for the requested captures found in the document.
  std::map<std::string, std::string> captured;
  size_t records = 0;  // given to OnRecord
  size_t rejects = 0;  // given to OnReject
  size_t skipped = 0;  // left out on purpose by the mapping's <skip> rules
  size_t deleted = 0;  // given to OnDeleted (marked deleted by the mapping's <deleted> rules)
  // Things worth a line in the run report that reject no record: a CSV column the mapping
  // reads that the header lacks, ...
  std::vector<std::string> warnings;
};

// One database row (sql sources): column name -> text, or nullopt for NULL.
using Row = std::vector<std::pair<std::string, std::optional<std::string>>>;

// A column a mapping's path names, and the rows it reads it from.
struct RowColumn {
  std::string column;
  // "" the main row; NAME the rows of child NAME (NAME/*/COLUMN, or COLUMN in the items,
  // lang-path or text-path of a field whose path is NAME/*); "*" rows the compiler cannot place
  // (the items of a field whose rows come from <first>/<when> cases): any query's.
  std::string child;
  bool operator==(const RowColumn&) const = default;
};

// Where a mapping's column `want` is among a database row's column names: the exact name,
// else a name equal to it ignoring ASCII case (SQL column names are case-insensitive in
// MySQL/MariaDB and SQLite: the toolkit's informea_odata.sql writes `schemaversion` and
// `termuri` where the CMS and AEWA views write `schemaVersion` and `termURI`, and the
// provider's JPA reads either); -1 when none. The sql source's rows and check-config use it.
int FindRowColumn(const std::vector<std::string>& names, std::string_view want);

// The rows of one child query (a sql source's <child>) that belong to one record: the
// mapping reads them as NAME/* (each row) and NAME/*/COLUMN (docs/mappings.md#child-rows).
struct ChildRows {
  std::string name;                               // <child name>
  std::vector<std::string> columns;               // the query's column names
  std::vector<std::optional<std::string>> cells;  // rows x columns, row by row; nullopt = NULL
  size_t rows() const { return columns.empty() ? 0 : cells.size() / columns.size(); }
};

// What a source says about its rows beyond the columns (sql source attributes).
struct RowOptions {
  // The language of texts marked und/zxx (default-language); "" = they are rejects.
  std::string default_language;
  // The zone of date-times written without an offset (time-zone); none: UTC.
  std::optional<core::TimeZone> time_zone;
};

// A declared mapping parameter.
struct ParamSpec {
  std::string name;
  bool required = false;
  std::optional<std::string> default_value;
  std::string doc;
  codec::DocPosition position;  // of the <param> in the mapping file
};

struct Plan;  // the compiled form (mapping/plan.h)

// Maps database rows one at a time (sql sources), with what does not change from row to row
// prepared once: the parameters, checked and completed with their defaults, and the mapping's
// columns resolved against the row's column names (again only when those change).
// Thread-compatible: one per run and thread. The Mapping that made it must outlive it.
class RowMapper {
 public:
  ~RowMapper();
  RowMapper(const RowMapper&) = delete;
  RowMapper& operator=(const RowMapper&) = delete;

  // As Mapping::MapRow.
  Status Map(const Row& columns, std::string position, RecordSink& sink);
  // The same with the record's child rows (matched to the mapping's NAME/* paths by name; a
  // child the mapping reads that is not given has no rows).
  Status Map(const Row& columns, const std::vector<ChildRows>& children, std::string position,
             RecordSink& sink);

 private:
  friend class Mapping;
  struct State;
  explicit RowMapper(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class Mapping {
 public:
  // Loads and compiles an inbound mapping file (.xml or .json). Every error in the file is
  // reported at once, one per line: "file:line:column: what is wrong; expected ...".
  static Result<std::shared_ptr<const Mapping>> Load(
      const std::string& path, const vocab::Vocabularies& vocabularies,
      const model::Registry& registry = model::Registry::Default());
  // The same from text (`json` chooses the form; `name` stands for the file in messages).
  static Result<std::shared_ptr<const Mapping>> LoadText(
      std::string_view text, const std::string& name, bool json,
      const vocab::Vocabularies& vocabularies,
      const model::Registry& registry = model::Registry::Default());
  static Result<std::shared_ptr<const Mapping>> FromDoc(
      const codec::DocNode& root, const vocab::Vocabularies& vocabularies,
      const model::Registry& registry = model::Registry::Default());

  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  const model::EntitySpec& entity() const;
  const std::string& file() const;
  // The decoder: "json", "xml" or "csv".
  const std::string& format() const;
  const std::vector<ParamSpec>& params() const;
  // The paging the mapping declares for its protocol (<paging style="page" page-param="page"
  // first-page="0"/>), as one line: the style, then the attributes given, in the order
  // page-param, size-param, first-page ("page page-param=page first-page=0"); "" when the
  // mapping declares none. A source with paging="auto" follows it (docs/harvesting.md#paging).
  const std::string& paging() const;

  // InvalidArgument naming each required parameter that is missing and each given parameter
  // the mapping does not declare.
  Status CheckParams(const Params& params) const;
  // Every problem of running with `params`, one "file:line:column: ..." line each (meabridge
  // check-config): CheckParams' (a required parameter missing, one the mapping does not
  // declare), and each {param.NAME} of a template that would have no value: not given, no
  // default, and not inside a <when if-param="NAME"> that tests the parameter is there.
  std::vector<std::string> ParamProblems(const Params& params) const;

  // Decodes `input`, maps each record, validates it (model::Validate) and streams records and
  // rejects to `sink`. A record a <skip> rule holds for is left out; one a <deleted> rule holds
  // for has only its id mapped (and the fields the id reads) and goes to sink.OnDeleted. `capture`
  // lists document-level paths whose scalar values come back in DocumentInfo::captured: JSON
  // pointers ("/d/__next", "/@odata.nextLink") for json, XPath
  // ("/a:feed/a:link[@rel='next']/@href", with the mapping's namespace prefixes) for xml.
  // Errors: the parameters (CheckParams), a malformed document (ParseError with line, column
  // and offset; the records before it were delivered), the input's IoError, the sink's status.
  Result<DocumentInfo> Run(codec::ByteSource& input, const Params& params, RecordSink& sink,
                           const std::vector<std::string>& capture = {}) const;

  // Maps one database row like a CSV row (columns by name; nullopt is null). `position` is
  // what rejects report ("row 17"). Returns the sink's status, or a parameter error. For many
  // rows, NewRowMapper keeps what MapRow would redo for each.
  Status MapRow(const Row& columns, std::string position, const Params& params,
                RecordSink& sink) const;
  // A RowMapper with `params`: MapRow's parameter errors, InvalidArgument for a
  // default-language that is no language, and FailedPrecondition for a mapping whose decoder
  // is not csv.
  Result<std::unique_ptr<RowMapper>> NewRowMapper(const Params& params,
                                                  const RowOptions& options = {}) const;
  // The child row sets the mapping's paths read (NAME of NAME/*), in order of first use.
  const std::vector<std::string>& children() const;
  // csv/rows: the columns the mapping's paths name, with the rows each is read from (not the
  // default lang-path and text-path), in order of first use.
  const std::vector<RowColumn>& columns() const;

  // REQUIRES: only the loaders construct mappings.
  explicit Mapping(std::unique_ptr<Plan> plan);

 private:
  std::unique_ptr<Plan> plan_;
};

}  // namespace meabridge::mapping
