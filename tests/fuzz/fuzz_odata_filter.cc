// The publisher's parsers of untrusted input: $filter (into the store's filter tree, then
// evaluated in memory against a few records), $orderby, $select, $expand, next/delta link
// tokens, and the HTTP request head and target. The first byte picks the entity set; the rest
// is the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/record.h"
#include "model/registry.h"
#include "publish/http/request.h"
#include "publish/http/request_parser.h"
#include "publish/odata/evaluate.h"
#include "publish/odata/filter.h"
#include "publish/odata/query_options.h"
#include "publish/odata/tokens.h"

namespace {

using namespace meabridge;  // NOLINT: a fuzz target

std::vector<model::Record> Samples(const model::EntitySpec& e) {
  std::vector<model::Record> out;
  model::Record empty(e);
  empty.set_id("empty");
  out.push_back(empty);
  model::Record full(e);
  full.set_id("full");
  for (size_t i = 1; i < e.fields.size(); ++i) {
    const model::FieldSpec& f = e.fields[i];
    switch (f.type) {
      case model::FieldType::kString:
      case model::FieldType::kText:
      case model::FieldType::kTerm:
        full.Set(i, model::Value(std::string("cbd")));
        break;
      case model::FieldType::kMultilingual:
        full.Set(i, model::Value(model::Multilingual{{"en", "Title"}, {"fr", "Titre"}}));
        break;
      case model::FieldType::kDate:
        full.Set(i, model::Value(core::CivilDate{2020, 2, 29}));
        break;
      case model::FieldType::kDateTime:
        full.Set(i, model::Value(model::DateTime{1582934400000}));
        break;
      case model::FieldType::kBool:
        full.Set(i, model::Value(true));
        break;
      case model::FieldType::kInt:
        full.Set(i, model::Value(int64_t{42}));
        break;
      case model::FieldType::kDouble:
        full.Set(i, model::Value(4.2));
        break;
      case model::FieldType::kStringList:
        full.Set(i, model::Value(model::StringList{"cbd", "cms"}));
        break;
      case model::FieldType::kItemList: {
        model::Item item;
        for (const auto& itf : f.item_fields) item[itf.name] = "cbd";
        full.Set(i, model::Value(model::ItemList{item}));
        break;
      }
    }
  }
  out.push_back(full);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& entities = model::Registry::Default().entities();
  const model::EntitySpec& e = entities[data[0] % entities.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const auto samples = [] {
    std::vector<std::vector<model::Record>> all;
    for (const auto& spec : model::Registry::Default().entities()) all.push_back(Samples(spec));
    return all;
  }();
  auto filter = publish::odata::ParseFilter(text, e);
  if (filter.ok()) {
    for (const model::Record& r : samples[data[0] % entities.size()]) {
      (void)publish::odata::Matches(filter->get(), r);
    }
  }
  auto order = publish::odata::ParseOrderBy(text, e);
  (void)publish::odata::ParseSelect(text, e);
  (void)publish::odata::ParseExpand(text, 3);
  (void)publish::odata::ParseKeyPredicate(text);
  static const publish::odata::LinkSigner signer("");
  std::vector<store::OrderKey> keys = order.ok() ? *order : std::vector<store::OrderKey>{};
  (void)publish::odata::DecodeNext(signer, text, e, keys, "q");
  (void)publish::odata::DecodeDelta(signer, text, e, "q");
  // The HTTP request head and target parsers read the same untrusted bytes off the socket.
  publish::http::RequestHead head;
  (void)publish::http::FindHeadEnd(text, 0);
  if (publish::http::ParseRequestHead(text, &head).ok()) {
    publish::http::Request req;
    (void)publish::http::ParseTarget(head.target, &req);
    (void)head.KeepAlive();
    (void)head.ContentLength();
  }
  return 0;
}
