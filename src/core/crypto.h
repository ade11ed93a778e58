// The one place meabridge does cryptography, through OpenSSL (EVP_Digest, HMAC(),
// CRYPTO_memcmp): SHA-256, HMAC-SHA256, comparisons in constant time, and base64url (RFC 4648
// section 5, no padding) for the tokens built from them; tests/core/crypto_test.cc holds them
// to FIPS 180-2's and RFC 4231's known answers. Used by the signed next/delta links
// (publish/odata/tokens.h), the admin token check and the status page's sign-in cookie
// (daemon/web/session.h). Content hashing for change detection (core/hash.h) is not a
// security boundary and lives apart. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meabridge::core {

// The 32 raw bytes of SHA-256(data). Throws std::runtime_error if OpenSSL fails (it does not
// for these inputs: a broken library, not an expected failure). So does HmacSha256.
std::string Sha256(std::string_view data);

// The 32 raw bytes of HMAC-SHA256(key, message).
std::string HmacSha256(std::string_view key, std::string_view message);

// a == b, in time independent of where they differ (not of their lengths).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// True when `presented` equals the secret `expected`, in time independent of both their
// contents and lengths (SHA-256 digests of both compared in constant time). An empty
// `expected` never matches.
bool SecretMatches(std::string_view presented, std::string_view expected);

// base64url without padding, the form every token of ours is issued in.
std::string Base64UrlEncode(std::string_view bytes);
// Strict: the URL alphabet only (no '+', '/' or '='), a length a no-padding encoding can have,
// and zero bits after the last byte, so a token has one spelling. nullopt for anything else.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace meabridge::core
