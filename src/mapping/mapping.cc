// Inbound mappings: loading, and running a compiled plan over JSON, XML and CSV documents and
// database rows.
#include "mapping/mapping.h"

#include <algorithm>
#include <exception>

#include "codec/csv_reader.h"
#include "codec/json_reader.h"
#include "codec/xml_doc.h"
#include "core/strings.h"
#include "mapping/evaluator.h"
#include "mapping/plan.h"
#include "model/validate.h"

namespace meabridge::mapping {
namespace {

template <typename PositionFn>
class LazyPosition final : public RecordPosition {
 public:
  explicit LazyPosition(PositionFn& fn) : fn_(fn) {}
  std::string Get() const override { return fn_(); }

 private:
  PositionFn& fn_;
};

// Turns the problems of one record (and its validation) into a record or a reject.
class Finisher {
 public:
  Finisher(const Plan& plan, RecordSink& sink, DocumentInfo* info)
      : plan_(plan), sink_(sink), info_(info) {}

  // `position` is a callable giving the record's position; it runs only for a reject (and a
  // deletion mark).
  template <typename PositionFn>
  Status Finish(model::Record record, std::vector<Problem>* problems, PositionFn&& position) {
    std::vector<model::Violation> violations = plan_.validator->Validate(record);
    for (model::Violation& v : violations) {
      bool covered = false;
      for (const Problem& p : *problems) {
        if (!p.field.empty() && v.field.compare(0, p.field.size(), p.field) == 0) covered = true;
      }
      // An id made from fields that failed is missing for a reason already given.
      if (v.field == "id" && record.id().empty() && !problems->empty()) covered = true;
      if (!covered) {
        problems->push_back(Problem{std::move(v.field), std::move(v.rule), std::move(v.value),
                                    std::move(v.message)});
      }
    }
    if (problems->empty()) {
      ++info_->records;
      LazyPosition<PositionFn> where(position);
      return sink_.OnRecordAt(std::move(record), where);
    }
    return RejectWith(record.id(), *problems, position(), "");
  }

  // A deletion mark (MapDeleted): no validation, only an id is needed.
  template <typename PositionFn>
  Status FinishDeleted(const model::Record& record, std::vector<Problem>* problems,
                       PositionFn&& position) {
    if (problems->empty() && !record.id().empty()) {
      ++info_->deleted;
      return sink_.OnDeleted(record.id(), position());
    }
    if (problems->empty()) {
      problems->push_back(Problem{"id", "id", "", "the id rule gives no value"});
    }
    return RejectWith(record.id(), *problems, position(),
                      " (the record is marked deleted by a <deleted> rule: only its id, and the "
                      "fields the id reads, are mapped)");
  }

  // REQUIRES: !problems.empty().
  Status RejectWith(const std::string& id, const std::vector<Problem>& problems,
                    std::string position, const char* note) {
    Reject r;
    r.record_id = id;
    r.position = std::move(position);
    const Problem& first = problems[0];
    r.field = first.field;
    r.rule = first.rule;
    r.value = first.value;
    r.message = first.message + note;
    for (size_t i = 1; i < problems.size(); ++i) {
      const Problem& p = problems[i];
      r.message += i == 1 ? "; also: " : "; ";
      r.message += "field '" + p.field + "'";
      if (!p.value.empty()) r.message += " = " + core::Quote(p.value, 60);
      r.message += ": " + p.rule + ": " + p.message;
    }
    ++info_->rejects;
    return sink_.OnReject(std::move(r));
  }

  Status RejectRow(const std::string& position, std::string rule, std::string message) {
    Reject r;
    r.position = position;
    r.rule = std::move(rule);
    r.message = std::move(message);
    ++info_->rejects;
    return sink_.OnReject(std::move(r));
  }

 private:
  const Plan& plan_;
  RecordSink& sink_;
  DocumentInfo* info_;
};

}  // namespace

std::string Reject::ToString() const {
  std::string s = position.empty() ? std::string("(no position)") : position;
  if (!record_id.empty()) s += ": record " + core::Quote(record_id);
  if (!field.empty()) s += ": field '" + field + "'";
  if (!value.empty()) s += " = " + core::Quote(value);
  s += ": " + rule + ": " + message;
  return s;
}

Mapping::Mapping(std::unique_ptr<Plan> plan) : plan_(std::move(plan)) {}
Mapping::~Mapping() = default;

Result<std::shared_ptr<const Mapping>> Mapping::FromDoc(const codec::DocNode& root,
                                                        const vocab::Vocabularies& vocabularies,
                                                        const model::Registry& registry) {
  MB_ASSIGN_OR_RETURN(std::unique_ptr<Plan> plan, Compile(root, vocabularies, registry));
  if (plan->outbound) {
    return Status::InvalidArgument(
        root.position.ToString() +
        ": this is an outbound mapping (direction=\"outbound\"): it renders records for a "
        "partner; a source needs an inbound mapping");
  }
  return std::shared_ptr<const Mapping>(std::make_shared<Mapping>(std::move(plan)));
}

Result<std::shared_ptr<const Mapping>> Mapping::Load(const std::string& path,
                                                     const vocab::Vocabularies& vocabularies,
                                                     const model::Registry& registry) {
  MB_ASSIGN_OR_RETURN(codec::DocNode root, codec::LoadDocFile(path));
  return FromDoc(root, vocabularies, registry);
}

Result<std::shared_ptr<const Mapping>> Mapping::LoadText(std::string_view text,
                                                         const std::string& name, bool json,
                                                         const vocab::Vocabularies& vocabularies,
                                                         const model::Registry& registry) {
  Result<codec::DocNode> root =
      json ? codec::ParseJsonDoc(text, name) : codec::ParseXmlDoc(text, name);
  if (!root.ok()) return root.status();
  return FromDoc(*root, vocabularies, registry);
}

const model::EntitySpec& Mapping::entity() const { return *plan_->entity; }
const std::string& Mapping::file() const { return plan_->file; }
const std::string& Mapping::format() const { return plan_->format_name; }
const std::vector<ParamSpec>& Mapping::params() const { return plan_->params; }
const std::string& Mapping::paging() const { return plan_->paging; }

namespace {

// The problems CheckParams reports: a required parameter missing, one not declared.
std::vector<std::string> DeclarationProblems(const Plan& plan, const Params& params,
                                             std::vector<const ParamSpec*>* where) {
  std::vector<std::string> problems;
  for (const ParamSpec& p : plan.params) {
    auto it = params.find(p.name);
    if (p.required && (it == params.end() || it->second.empty())) {
      problems.push_back("missing required parameter '" + p.name + "'" +
                         (p.doc.empty() ? "" : " (" + p.doc + ")") + ": give --param " + p.name +
                         "=VALUE, or <param name=\"" + p.name + "\" value=\"...\"/> in the source");
      where->push_back(&p);
    }
  }
  for (const auto& [name, value] : params) {
    bool known = false;
    for (const ParamSpec& p : plan.params) known = known || p.name == name;
    if (!known) {
      std::vector<std::string> names;
      for (const ParamSpec& p : plan.params) names.push_back(p.name);
      problems.push_back("unknown parameter '" + name + "' (" +
                         (names.empty() ? std::string("the mapping declares none")
                                        : "declared: " + core::Join(names, ", ")) +
                         ")");
      where->push_back(nullptr);
    }
  }
  return problems;
}

}  // namespace

Status CheckParamsOf(const Plan& plan, const Params& params) {
  std::vector<const ParamSpec*> where;
  std::vector<std::string> problems = DeclarationProblems(plan, params, &where);
  if (problems.empty()) return Status::Ok();
  return Status::InvalidArgument(plan.file + ": " + core::Join(problems, "; "));
}

std::vector<std::string> ParamProblemsOf(const Plan& plan, const Params& params) {
  std::vector<const ParamSpec*> where;
  std::vector<std::string> out = DeclarationProblems(plan, params, &where);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = (where[i] ? where[i]->position.ToString() : plan.file) + ": " + out[i];
  }
  for (const Plan::ParamUse& use : plan.param_uses) {
    if (use.guarded) continue;
    auto given = params.find(use.name);
    if (given != params.end() && !given->second.empty()) continue;
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& p : plan.params) {
      if (p.name == use.name) spec = &p;
    }
    if (spec && (spec->required || spec->default_value)) continue;  // reported above, or fine
    out.push_back(use.pos.ToString() + ": {param." + use.name +
                  "} has no value: the parameter is not given and has no default, so the "
                  "template never gives one; give <param name=\"" +
                  use.name + "\" value=\"...\"/> in the source, or a default in the mapping");
  }
  return out;
}

Status Mapping::CheckParams(const Params& params) const { return CheckParamsOf(*plan_, params); }
std::vector<std::string> Mapping::ParamProblems(const Params& params) const {
  return ParamProblemsOf(*plan_, params);
}

namespace {

Result<DocumentInfo> RunJson(const Plan& plan, codec::ByteSource& input, const Params& params,
                             RecordSink& sink, const std::vector<std::string>& capture) {
  DocumentInfo info;
  codec::JsonDecodeOptions options;
  options.record_paths = plan.record_paths;
  options.capture_paths = capture;
  options.odata = plan.odata;
  Result<codec::JsonRecordReader> reader = codec::JsonRecordReader::Create(options);
  if (!reader.ok()) return reader.status();
  Evaluator evaluator(plan, params);
  Finisher finisher(plan, sink, &info);
  std::vector<Problem> problems;
  codec::JsonShape shape;
  Status s = reader->Read(
      input,
      [&](const codec::JsonTree& tree, const codec::JsonPosition& position) -> Status {
        JsonView view(tree, plan.odata);
        if (!position.damage().empty()) {
          // An encoding error stays in its record: mapped for its id, then rejected.
          model::Record record(*plan.entity);
          problems.clear();
          evaluator.MapRecord(view, &record, &problems);
          std::vector<Problem> damaged;
          for (const codec::JsonDamage& d : position.damage()) {
            damaged.push_back(
                Problem{d.member, "encoding", d.bytes,
                        "the source's string at " +
                            (d.member.empty() ? std::string("the record") : d.member) +
                            " (near byte offset " + std::to_string(d.offset) + ") holds " + d.what +
                            " (" + d.bytes +
                            "): the record is rejected and the rest of the document is read; the "
                            "source must send valid JSON strings in UTF-8"});
          }
          return finisher.RejectWith(record.id(), damaged, position.Pointer(), "");
        }
        if (evaluator.Skip(view)) {
          ++info.skipped;
          return Status::Ok();
        }
        model::Record record(*plan.entity);
        if (evaluator.Deleted(view)) {
          problems.clear();
          evaluator.MapDeleted(view, &record, &problems);
          return finisher.FinishDeleted(record, &problems,
                                        [&position] { return position.Pointer(); });
        }
        problems.clear();
        evaluator.MapRecord(view, &record, &problems);
        return finisher.Finish(std::move(record), &problems,
                               [&position] { return position.Pointer(); });
      },
      &info.captured, &shape);
  if (!s.ok()) return s;
  if (!shape.reached && !shape.empty) {
    return Status::NotFound(input.name() + ": the records path " + plan.records_text +
                            " matches nothing in this document: " + shape.description +
                            ". Nothing was read from it; check <records path> in " +
                            plan.records_pos.ToString() +
                            " against what the source sends (or the source's url)");
  }
  return info;
}

// What an XML document holds, for a records path that matches nothing: "the root element is
// <feed> (namespace http://www.w3.org/2005/Atom) with children id, title, link".
std::string DescribeXml(const pugi::xml_node& root) {
  std::string d = "the root element is <" + std::string(root.name()) + ">";
  for (pugi::xml_attribute a = root.first_attribute(); a; a = a.next_attribute()) {
    std::string n = a.name();
    if (n == "xmlns" || n.rfind("xmlns:", 0) == 0) {
      d += " (" + n + "=\"" + a.value() + "\")";
      break;
    }
  }
  std::vector<std::string> names;
  size_t total = 0;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string n = c.name();
    if (std::find(names.begin(), names.end(), n) != names.end()) continue;
    ++total;
    if (names.size() < 6) names.push_back(n);
  }
  if (names.empty()) return d + " with no child elements";
  return d + " with children " + core::Join(names, ", ") + (total > names.size() ? ", ..." : "");
}

Result<DocumentInfo> RunXml(const Plan& plan, codec::ByteSource& input, const Params& params,
                            RecordSink& sink, const std::vector<std::string>& capture) {
  DocumentInfo info;
  MB_ASSIGN_OR_RETURN(std::string text, codec::ReadAll(input));
  MB_ASSIGN_OR_RETURN(std::unique_ptr<codec::XmlDocument> doc,
                      codec::XmlDocument::Parse(std::move(text), plan.namespaces, input.name()));
  for (const std::string& c : capture) {
    try {
      pugi::xpath_query q(c.c_str());
      std::string value = q.evaluate_string(doc->document());
      if (!value.empty()) info.captured[c] = value;
    } catch (const pugi::xpath_exception& e) {
      return Status::InvalidArgument("capture path '" + c + "' is not an XPath: " + e.what());
    }
  }
  Evaluator evaluator(plan, params);
  Finisher finisher(plan, sink, &info);
  std::vector<Problem> problems;
  pugi::xpath_node_set records = plan.records_xpath->evaluate_node_set(doc->document());
  if (records.empty() && plan.records_parent_xpath) {
    pugi::xml_node root;
    for (root = doc->document().first_child(); root && root.type() != pugi::node_element;
         root = root.next_sibling()) {
    }
    if (root && plan.records_parent_xpath->evaluate_node_set(doc->document()).empty()) {
      return Status::NotFound(input.name() + ": the records path " + plan.records_text +
                              " matches nothing in this document: " + DescribeXml(root) +
                              ". Nothing was read from it; check <records path> in " +
                              plan.records_pos.ToString() +
                              " against what the source sends (or the source's url)");
    }
  }
  for (const pugi::xpath_node& n : records) {
    pugi::xml_node e = n.node();
    if (!e || e.type() != pugi::node_element) continue;
    XmlView view(*doc, e);
    if (evaluator.Skip(view)) {
      ++info.skipped;
      continue;
    }
    model::Record record(*plan.entity);
    problems.clear();
    if (evaluator.Deleted(view)) {
      evaluator.MapDeleted(view, &record, &problems);
      MB_RETURN_IF_ERROR(
          finisher.FinishDeleted(record, &problems, [&] { return doc->PositionOf(e); }));
      continue;
    }
    evaluator.MapRecord(view, &record, &problems);
    // The position walks the siblings: computed only for a reject.
    Status s = finisher.Finish(std::move(record), &problems, [&] { return doc->PositionOf(e); });
    if (!s.ok()) return s;
  }
  return info;
}

// Resolves the plan's column slots against a header (or against column numbers); database
// rows (`fold_case`) as FindRowColumn.
std::vector<int> SlotColumns(const Plan& plan, const std::vector<std::string>& names, bool numbered,
                             std::vector<std::string>* missing, bool fold_case = false) {
  std::vector<int> slots(plan.columns.size(), -1);
  for (size_t s = 0; s < plan.columns.size(); ++s) {
    const std::string& want = plan.columns[s];
    if (numbered) {
      auto n = core::ParseInt(want);
      if (n && *n >= 1) slots[s] = static_cast<int>(*n - 1);
      if (!n || *n < 1) missing->push_back(want);
      continue;
    }
    if (fold_case) {
      slots[s] = FindRowColumn(names, want);
    } else {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == want) {
          slots[s] = static_cast<int>(i);
          break;
        }
      }
    }
    if (slots[s] < 0) missing->push_back(want);
  }
  return slots;
}

Result<DocumentInfo> RunCsv(const Plan& plan, codec::ByteSource& input, const Params& params,
                            RecordSink& sink) {
  DocumentInfo info;
  codec::CsvOptions options;
  options.delimiter = plan.delimiter;
  options.quote = plan.quote;
  codec::CsvReader reader(input, options);
  codec::CsvRow row;
  for (size_t i = 0; i < plan.skip_lines; ++i) {
    MB_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) return info;
  }
  std::vector<std::string> header;
  std::vector<int> slots;
  size_t width = 0;
  std::vector<std::string> missing;
  if (plan.header) {
    MB_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) return info;
    for (const std::string& h : row.fields) header.emplace_back(core::Trim(h));
    width = header.size();
    slots = SlotColumns(plan, header, false, &missing);
    for (const std::string& m : missing) {
      info.warnings.push_back(input.name() + ": the header has no column '" + m +
                              "' (columns: " + core::Join(header, ", ") + ")");
    }
  } else {
    slots = SlotColumns(plan, {}, true, &missing);
    for (const std::string& m : missing) {
      info.warnings.push_back(input.name() +
                              ": without a header, columns are numbers from 1; "
                              "'" +
                              m + "' is not one");
    }
  }
  Evaluator evaluator(plan, params);
  Finisher finisher(plan, sink, &info);
  std::vector<Problem> problems;
  std::vector<bool> nulls;
  for (;;) {
    MB_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) break;
    std::string position = "line " + std::to_string(row.line);
    if (!row.problem.empty()) {
      MB_RETURN_IF_ERROR(finisher.RejectRow(position, "csv", "malformed row: " + row.problem));
      continue;
    }
    if (plan.header && row.fields.size() != width) {
      MB_RETURN_IF_ERROR(finisher.RejectRow(
          position, "csv",
          "the row has " + std::to_string(row.fields.size()) + " fields where the header has " +
              std::to_string(width) + " (a delimiter inside a value must be quoted)"));
      continue;
    }
    nulls.assign(row.fields.size(), false);
    if (plan.null_text) {
      for (size_t i = 0; i < row.fields.size(); ++i) nulls[i] = row.fields[i] == *plan.null_text;
    }
    RowView view(row.fields, nulls, slots);
    if (evaluator.Skip(view)) {
      ++info.skipped;
      continue;
    }
    model::Record record(*plan.entity);
    problems.clear();
    if (evaluator.Deleted(view)) {
      evaluator.MapDeleted(view, &record, &problems);
      MB_RETURN_IF_ERROR(
          finisher.FinishDeleted(record, &problems, [&position] { return position; }));
      continue;
    }
    evaluator.MapRecord(view, &record, &problems);
    MB_RETURN_IF_ERROR(
        finisher.Finish(std::move(record), &problems, [&position] { return position; }));
  }
  return info;
}

}  // namespace

Result<DocumentInfo> Mapping::Run(codec::ByteSource& input, const Params& params, RecordSink& sink,
                                  const std::vector<std::string>& capture) const {
  MB_RETURN_IF_ERROR(CheckParams(params));
  try {
    switch (plan_->format) {
      case Format::kJson:
        return RunJson(*plan_, input, params, sink, capture);
      case Format::kXml:
        return RunXml(*plan_, input, params, sink, capture);
      case Format::kCsv:
        if (!capture.empty()) {
          return Status::InvalidArgument("a CSV document has no paths to capture");
        }
        return RunCsv(*plan_, input, params, sink);
    }
  } catch (const pugi::xpath_exception& e) {
    return Status::Internal(plan_->file + ": XPath evaluation failed: " + e.what());
  } catch (const std::bad_alloc&) {
    return Status::Internal(plan_->file + ": out of memory reading " + input.name());
  } catch (const std::exception& e) {
    // A broken invariant (a RapidJSON assertion, a library error): a bug, reported as a value
    // so that one document cannot take down a harvest.
    return Status::Internal(plan_->file + " over " + input.name() + ": " + e.what());
  }
  return Status::Internal("unknown decoder");
}

// What stays from one row to the next: the evaluator (the parameters completed with their
// defaults, scratch buffers), and the mapping's column slots for the last header seen.
struct RowMapper::State {
  State(const Plan& p, const Params& params) : plan(p), evaluator(p, params) {}
  const Plan& plan;
  Evaluator evaluator;
  std::vector<std::string> header;  // the column names `slots` were resolved for
  std::vector<int> slots;
  std::vector<RowChild> children;  // by Plan::children; slots resolved per column list
  std::vector<std::vector<std::string>> child_header;
  std::vector<std::string> cells;
  std::vector<bool> nulls;
  std::vector<Problem> problems;
  DocumentInfo info;
};

RowMapper::RowMapper(std::unique_ptr<State> state) : state_(std::move(state)) {}
RowMapper::~RowMapper() = default;

Status RowMapper::Map(const Row& columns, std::string position, RecordSink& sink) {
  static const std::vector<ChildRows> kNone;
  return Map(columns, kNone, std::move(position), sink);
}

Status RowMapper::Map(const Row& columns, const std::vector<ChildRows>& children,
                      std::string position, RecordSink& sink) {
  State& st = *state_;
  const std::vector<std::string>& wanted = st.plan.children;
  st.children.resize(wanted.size());
  st.child_header.resize(wanted.size());
  static const std::vector<std::string> kNoColumns;
  static const std::vector<std::optional<std::string>> kNoCells;
  for (size_t i = 0; i < wanted.size(); ++i) {
    RowChild& rc = st.children[i];
    const ChildRows* given = nullptr;
    for (const ChildRows& c : children) {
      if (c.name == wanted[i]) given = &c;
    }
    rc.columns = given ? &given->columns : &kNoColumns;
    rc.cells = given ? &given->cells : &kNoCells;
    if (st.child_header[i] != *rc.columns || rc.slot_column.size() != st.plan.columns.size()) {
      st.child_header[i] = *rc.columns;
      std::vector<std::string> missing;
      rc.slot_column = SlotColumns(st.plan, *rc.columns, false, &missing, true);
    }
  }
  bool same_header = st.header.size() == columns.size();
  for (size_t i = 0; same_header && i < columns.size(); ++i) {
    same_header = st.header[i] == columns[i].first;
  }
  if (!same_header) {
    st.header.clear();
    for (const auto& column : columns) st.header.push_back(column.first);
    std::vector<std::string> missing;
    st.slots = SlotColumns(st.plan, st.header, false, &missing, true);
  }
  st.cells.resize(columns.size());
  st.nulls.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::optional<std::string>& value = columns[i].second;
    st.nulls[i] = !value.has_value();
    if (value) {
      st.cells[i].assign(*value);
    } else {
      st.cells[i].clear();
    }
  }
  Finisher finisher(st.plan, sink, &st.info);
  RowView view(st.cells, st.nulls, st.slots, &st.children);
  try {
    if (st.evaluator.Skip(view)) return Status::Ok();
    model::Record record(*st.plan.entity);
    st.problems.clear();
    if (st.evaluator.Deleted(view)) {
      st.evaluator.MapDeleted(view, &record, &st.problems);
      return finisher.FinishDeleted(record, &st.problems, [&position] { return position; });
    }
    st.evaluator.MapRecord(view, &record, &st.problems);
    return finisher.Finish(std::move(record), &st.problems, [&position] { return position; });
  } catch (const std::exception& e) {
    return Status::Internal(st.plan.file + " at " + position + ": " + e.what());
  }
}

Result<std::unique_ptr<RowMapper>> Mapping::NewRowMapper(const Params& params,
                                                         const RowOptions& options) const {
  MB_RETURN_IF_ERROR(CheckParams(params));
  if (plan_->format != Format::kCsv) {
    return Status::FailedPrecondition(plan_->file +
                                      ": MapRow needs a mapping whose decoder is "
                                      "csv (rows are mapped like CSV rows)");
  }
  auto state = std::make_unique<RowMapper::State>(*plan_, params);
  if (!options.default_language.empty()) {
    const vocab::Vocabulary* languages = plan_->vocabularies->Find("languages");
    const vocab::Term* term = languages ? languages->Lookup(options.default_language) : nullptr;
    if (!term) {
      return Status::InvalidArgument("default-language '" + options.default_language +
                                     "' is not a language (meabridge vocab list languages "
                                     "shows the codes, e.g. en)");
    }
    state->evaluator.set_default_language(term->code);
  }
  state->evaluator.set_time_zone(options.time_zone);
  return std::unique_ptr<RowMapper>(new RowMapper(std::move(state)));
}

int FindRowColumn(const std::vector<std::string>& names, std::string_view want) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == want) return static_cast<int>(i);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (core::EqualsIgnoreCase(names[i], want)) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<std::string>& Mapping::children() const { return plan_->children; }
const std::vector<RowColumn>& Mapping::columns() const { return plan_->read_columns; }

Status Mapping::MapRow(const Row& columns, std::string position, const Params& params,
                       RecordSink& sink) const {
  MB_ASSIGN_OR_RETURN(std::unique_ptr<RowMapper> mapper, NewRowMapper(params));
  return mapper->Map(columns, std::move(position), sink);
}

}  // namespace meabridge::mapping
