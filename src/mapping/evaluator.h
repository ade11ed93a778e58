// The evaluator (internal to src/mapping/): runs a compiled Plan over one source record seen
// through a SourceView (a JSON tree, an XML element, a CSV or database row, or a canonical
// record for outbound mappings), producing canonical values and the problems that become
// rejects.
//
// An Evaluator holds per-run scratch state: one per thread (Mapping::Run makes its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/json_tree.h"
#include "codec/xml_doc.h"
#include "core/time_zone.h"
#include "mapping/plan.h"
#include "model/record.h"

namespace meabridge::mapping {

// A handle on a source node; what it means is up to the view that made it.
struct Node {
  uintptr_t p = 0;
  uint32_t id = 0;
};

// One value flowing through a rule's steps.
struct Scalar {
  enum class Kind : uint8_t { kText, kNumber, kBool, kNull, kNode, kDate };
  Kind kind = Kind::kText;
  bool has_node = false;  // `node` is where the value came from (sub-paths start there)
  bool owned = false;     // the text lives in `own`, else in `view`
  bool b = false;         // kBool: the value; kDate: the value has a time of day
  Node node;
  std::string_view view;
  std::string own;
  core::CivilDate date;  // kDate: the date as written
  core::EpochMs ms = 0;  // kDate: the instant (midnight UTC for a plain date)

  std::string_view text() const { return owned ? std::string_view(own) : view; }
  void SetText(std::string s) {
    own = std::move(s);
    owned = true;
    if (kind != Kind::kNumber) kind = Kind::kText;
  }
  static Scalar Text(std::string_view v) {
    Scalar s;
    s.view = v;
    return s;
  }
};

// A rule's value: nothing (missing), one scalar, or a list (from a "*" path or a split).
struct Val {
  bool list = false;
  std::vector<Scalar> items;
  bool missing() const { return !list && items.empty(); }
  void Clear() {
    list = false;
    items.clear();
  }
};

class SourceView {
 public:
  virtual ~SourceView() = default;
  // Appends what `path` selects from `context` (nullptr: the record) to `out`, marking it a
  // list when the path may select several values.
  virtual void Select(const Scalar* context, const PathExpr& path, Val* out) const = 0;
  // The elements of a list node (a JSON array, an OData {"results": [...]}); false otherwise.
  virtual bool Elements(const Scalar& s, std::vector<Scalar>* out) const = 0;
  // The members of an object node; false otherwise.
  virtual bool Members(const Scalar& s, std::vector<std::pair<std::string, Scalar>>* out) const = 0;
  // True for an empty array or object.
  virtual bool EmptyNode(const Scalar& s) const = 0;
  // The value as source text for reject messages (a JSON subtree, an element's text).
  virtual std::string Raw(const Scalar& s) const = 0;

  // The short way for simple text fields (FieldPlan::simple_text): the text at `path` from
  // the record. kOther when the value needs the general way (structured, several values, a
  // view without a short way).
  enum class Simple { kMissing, kNull, kText, kOther };
  virtual Simple SimpleText(const PathExpr&, std::string_view*) const { return Simple::kOther; }
};

// A JSON record tree (inbound JSON, and canonical records for outbound mappings).
class JsonView : public SourceView {
 public:
  JsonView(const codec::JsonTree& tree, bool odata) : tree_(tree) { options_.odata = odata; }
  void Select(const Scalar* context, const PathExpr& path, Val* out) const override;
  bool Elements(const Scalar& s, std::vector<Scalar>* out) const override;
  bool Members(const Scalar& s, std::vector<std::pair<std::string, Scalar>>* out) const override;
  bool EmptyNode(const Scalar& s) const override;
  std::string Raw(const Scalar& s) const override;
  Simple SimpleText(const PathExpr& path, std::string_view* out) const override;
  const codec::JsonTree& tree() const { return tree_; }
  Scalar FromNode(codec::JsonTree::Id id) const;

 private:
  const codec::JsonTree& tree_;
  codec::JsonSelectOptions options_;
  mutable std::vector<codec::JsonSelected> scratch_;
  mutable codec::JsonTree::Id hint_ = codec::JsonTree::kNone;  // after the last record member read
};

// One element of an XML document; paths are XPath relative to it.
class XmlView : public SourceView {
 public:
  XmlView(const codec::XmlDocument& doc, pugi::xml_node record) : doc_(doc), record_(record) {}
  void Select(const Scalar* context, const PathExpr& path, Val* out) const override;
  bool Elements(const Scalar&, std::vector<Scalar>*) const override { return false; }
  bool Members(const Scalar&, std::vector<std::pair<std::string, Scalar>>*) const override {
    return false;
  }
  bool EmptyNode(const Scalar& s) const override;
  std::string Raw(const Scalar& s) const override;

 private:
  Scalar FromXPathNode(const pugi::xpath_node& n) const;
  const codec::XmlDocument& doc_;
  pugi::xml_node record_;
};

// The rows of one child query that belong to the record a RowView shows (sql <child>).
struct RowChild {
  const std::vector<std::string>* columns = nullptr;              // the query's column names
  const std::vector<std::optional<std::string>>* cells = nullptr;  // rows x columns, by row
  std::vector<int> slot_column;  // Plan::columns slot -> column index, -1 when absent
  size_t rows() const {
    return !columns || columns->empty() ? 0 : cells->size() / columns->size();
  }
};

// A CSV or database row: paths are columns (slots resolved per document). A database row may
// come with child rows (`children`, indexed like Plan::children): "NAME/*" gives each child
// row as a node (kNode: node.p = child index + 1, node.id = row), paths relative to it read
// its columns.
class RowView : public SourceView {
 public:
  // cells[i] is null when nulls[i]; slot_column[slot] is the cell index or -1 when absent.
  RowView(const std::vector<std::string>& cells, const std::vector<bool>& nulls,
          const std::vector<int>& slot_column, const std::vector<RowChild>* children = nullptr)
      : cells_(cells), nulls_(nulls), slot_column_(slot_column), children_(children) {}
  void Select(const Scalar* context, const PathExpr& path, Val* out) const override;
  bool Elements(const Scalar&, std::vector<Scalar>*) const override { return false; }
  bool Members(const Scalar&, std::vector<std::pair<std::string, Scalar>>*) const override {
    return false;
  }
  bool EmptyNode(const Scalar&) const override { return false; }
  std::string Raw(const Scalar& s) const override;
  Simple SimpleText(const PathExpr& path, std::string_view* out) const override;

 private:
  const RowChild* ChildOf(const Scalar& s) const;
  static Scalar Cell(const std::optional<std::string>& cell);
  const std::vector<std::string>& cells_;
  const std::vector<bool>& nulls_;
  const std::vector<int>& slot_column_;
  const std::vector<RowChild>* children_;
};

struct Problem {
  std::string field;
  std::string rule;
  std::string value;
  std::string message;
};

class Evaluator {
 public:
  // `params` are the caller's, completed with the declared defaults.
  Evaluator(const Plan& plan, Params params);

  // True when a <skip> rule drops the record.
  bool Skip(const SourceView& view);

  // True when a <deleted> rule marks the record deleted (tested after Skip).
  bool Deleted(const SourceView& view);

  // Maps one record (inbound). Fields that fail are left empty and described in `problems`.
  void MapRecord(const SourceView& view, model::Record* record, std::vector<Problem>* problems);
  // Maps a deletion mark: only the id rule and the fields it reads (Plan::id_fields).
  void MapDeleted(const SourceView& view, model::Record* record, std::vector<Problem>* problems);

  // Evaluates a field's or item's cases (the first whose condition holds) with `context`
  // (nullptr: the record). False when the rule rejected (a problem was added).
  bool EvalCases(const std::vector<Case>& cases, const SourceView& view, const Scalar* context,
                 const model::Record* record, const std::string& field, Val* out,
                 std::vector<Problem>* problems);

  // The text of a scalar ("true"/"false", dates ISO); false for structured values.
  static bool TextOf(const Scalar& s, std::string_view* out, std::string* scratch);

  const Params& params() const { return params_; }
  // The canonical language for texts marked und/zxx (a source's default-language; "" = such
  // a text is a reject, rule undetermined-language).
  void set_default_language(std::string code) { default_language_ = std::move(code); }
  // The zone of date-times written without an offset (a source's time-zone; none: UTC).
  void set_time_zone(std::optional<core::TimeZone> zone) { time_zone_ = std::move(zone); }

 private:
  struct Ctx {
    const SourceView& view;
    const Scalar* node;
    const model::Record* record;
    const std::string& field;
    std::vector<Problem>* problems;
  };

  bool EvalRule(const Rule& rule, Ctx& c, Val* out, bool run_steps = true);
  void EvalSource(const Rule& rule, Ctx& c, Val* out);
  bool RenderTemplate(const Template& t, Ctx& c, std::string* out);
  bool Test(const Condition& cond, Ctx& c);
  bool ApplyPolicy(const Rule& rule, Ctx& c, Val* v, const char* what, Policy policy);
  bool RunSteps(const Rule& rule, Ctx& c, Val* v);
  bool ApplyStep(const Step& step, const Rule& rule, Ctx& c, Val* v);
  bool Miss(const Step& step, const Rule& rule, Ctx& c, Scalar* s, const std::string& why,
            bool* drop);
  void AddProblem(Ctx& c, std::string rule, std::string value, std::string message);

  void MapId(const SourceView& view, model::Record* record, std::vector<Problem>* problems);
  bool MapField(const FieldPlan& f, const SourceView& view, model::Record* record,
                std::vector<Problem>* problems);
  bool ToValue(model::FieldType type, const std::string& vocabulary, Val& v, Ctx& c,
               model::Value* out);
  bool ToItemText(const model::ItemFieldSpec& spec, Val& v, Ctx& c, std::string* out);
  bool MapMultilingual(const FieldPlan& f, Ctx& c, model::Multilingual* out);
  bool MapItems(const FieldPlan& f, Ctx& c, Val& contexts, model::ItemList* out);
  bool AddJsonTexts(const FieldPlan& f, const Rule& rule, Ctx& c, const Scalar& s,
                    model::Multilingual* out);
  bool AddLanguageText(const FieldPlan& f, const Rule& rule, Ctx& c, std::string_view lang,
                       std::string_view text, model::Multilingual* out);

  const Plan& plan_;
  Params params_;
  // The UTC instant of a parsed date-time, in time_zone_ when it was written without offset.
  core::EpochMs InstantOf(const ParsedDate& d) const;

  std::string default_language_;
  std::optional<core::TimeZone> time_zone_;
  std::vector<Val> scratch_;  // reused per record
  std::string text_scratch_;
};

// The canonical text of a record value for templates and conditions ("" when empty).
std::string ValueText(const model::Value& v);

}  // namespace meabridge::mapping
