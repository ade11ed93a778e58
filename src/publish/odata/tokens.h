// Next links and delta links that carry their own state.
//
// A link never points into a node's memory: it holds what the next request needs (the
// position of the last record delivered, how many were delivered, the change sequence number a
// delta starts from), bound to the query it belongs to by a hash of that query's options and
// signed with HMAC-SHA256 (tokens.cc). Any node that shares the store and the link secret can
// answer it, after a restart too. A token that was altered, or that is used with a different
// query, fails verification.
//
//   token = base64url(payload JSON) "." base64url(first 16 bytes of HMAC-SHA256(key, payload))
//
//   next link payload:  {"k":"n","e":"Contacts","q":"<query hash>","n":200,
//                        "a":["2024-05-01T10:00:00Z"...,"<id>"],"d":1234}
//       a: the order-key values and id of the last record delivered (keyset position);
//       n: records delivered so far (for $top); d: the delta start when change tracking was
//       asked for (-1 otherwise)
//   delta link payload: {"k":"d","e":"Contacts","q":"<query hash>","s":1234}
//       s: changes with a sequence number above it are reported
//
// Immutable after construction: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/query.h"

namespace meabridge::publish::odata {

class LinkSigner {
 public:
  // `key`: the content of the configured link secret file, or "" for the built-in key.
  explicit LinkSigner(std::string key);

  std::string Sign(std::string_view payload) const;
  // The payload; nullopt when the token is malformed or its signature does not match.
  std::optional<std::string> Verify(std::string_view token) const;

 private:
  std::string key_;
};

// A hash of the query options a link belongs to (every parameter except $skip, $skiptoken and
// $deltatoken, in a canonical order), 16 hex digits.
std::string QueryHash(std::string_view entity_set,
                      const std::vector<std::pair<std::string, std::string>>& params);

struct NextToken {
  std::string entity;
  std::string query_hash;
  int64_t delivered = 0;
  std::vector<model::Value> after;  // one value per order key, then the id
  int64_t delta_since = -1;
};

struct DeltaToken {
  std::string entity;
  std::string query_hash;
  int64_t since = 0;
};

std::string EncodeNext(const LinkSigner& signer, const NextToken& t);
// InvalidArgument when the token is forged, malformed or belongs to another query.
Result<NextToken> DecodeNext(const LinkSigner& signer, std::string_view token,
                             const model::EntitySpec& entity,
                             const std::vector<store::OrderKey>& order,
                             std::string_view query_hash);

std::string EncodeDelta(const LinkSigner& signer, const DeltaToken& t);
// InvalidArgument when forged, malformed or issued for another query.
Result<DeltaToken> DecodeDelta(const LinkSigner& signer, std::string_view token,
                               const model::EntitySpec& entity, std::string_view query_hash);

// The order-key values and id of `record`, as a next token's `after`.
std::vector<model::Value> PositionOf(const model::Record& record,
                                     const std::vector<store::OrderKey>& order);

}  // namespace meabridge::publish::odata
