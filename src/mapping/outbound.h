// Outbound mappings: the same mapping model, direction="outbound", rendering canonical records
// into one partner's JSON, JSON-lines or XML shape. Used by the publisher's partner profiles
// (/feeds/{profile}/{entity}) and by `meabridge export --profile`.
//
// Paths in an outbound mapping read the canonical record as its canonical JSON
// (model/canonical_json.h): "firstName", "title/en", "files/*/url", "treaties". Field names
// say where each value goes in the partner's record ("name/first", "@id" for an XML
// attribute).
//
// Rendering streams: records in, bytes out; memory holds one record.
//
// Threads: an OutboundMapping is immutable and may be shared; a Writer belongs to one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec/byte_source.h"
#include "codec/doc_tree.h"
#include "mapping/mapping.h"

namespace meabridge::mapping {

class OutboundMapping {
 public:
  static Result<std::shared_ptr<const OutboundMapping>> Load(
      const std::string& path, const vocab::Vocabularies& vocabularies,
      const model::Registry& registry = model::Registry::Default());
  static Result<std::shared_ptr<const OutboundMapping>> LoadText(
      std::string_view text, const std::string& name, bool json,
      const vocab::Vocabularies& vocabularies,
      const model::Registry& registry = model::Registry::Default());
  static Result<std::shared_ptr<const OutboundMapping>> FromDoc(
      const codec::DocNode& root, const vocab::Vocabularies& vocabularies,
      const model::Registry& registry = model::Registry::Default());

  ~OutboundMapping();
  OutboundMapping(const OutboundMapping&) = delete;
  OutboundMapping& operator=(const OutboundMapping&) = delete;

  // The entity whose records it renders.
  const model::EntitySpec& entity() const;
  const std::string& file() const;
  // "application/json", "application/x-ndjson" or "application/xml".
  const std::string& content_type() const;
  const std::vector<ParamSpec>& params() const;
  Status CheckParams(const Params& params) const;
  // As Mapping::ParamProblems.
  std::vector<std::string> ParamProblems(const Params& params) const;

  // Receives the records a rule refused (a lookup miss set to reject ...); a non-ok status
  // stops the writer. Without one, refused records are counted and left out.
  using RejectFn = std::function<Status(const Reject&)>;

  class Writer {
   public:
    virtual ~Writer() = default;
    // Renders one record. REQUIRES: record.entity() is the mapping's entity.
    virtual Status Write(const model::Record& record) = 0;
    // Closes the document (writes the opening too when no record came). Call once.
    virtual Status Finish() = 0;
    virtual size_t written() const = 0;
    virtual size_t rejected() const = 0;
  };

  // A writer into `out` (which must outlive it). InvalidArgument for bad parameters.
  Result<std::unique_ptr<Writer>> NewWriter(codec::ByteSink& out, const Params& params,
                                            RejectFn on_reject = nullptr) const;

  // REQUIRES: only the loaders construct outbound mappings.
  explicit OutboundMapping(std::unique_ptr<Plan> plan);

 private:
  std::unique_ptr<Plan> plan_;
};

}  // namespace meabridge::mapping
