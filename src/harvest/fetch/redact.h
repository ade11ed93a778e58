// Keeping secrets out of everything the harvester says: URLs, error messages, warnings and log
// lines pass through a Redactor before they leave a run.
//
// It replaces with "***": the password of a URL's userinfo ("https://user:***@host/"), the
// values of query parameters whose names say they carry a credential (token, access_token,
// api_key, apikey, key, password, passwd, secret, signature, sig, auth, code, client_secret),
// and every occurrence of the source's own secret (and of its percent-encoded form), wherever
// it appears.
//
// A Redactor is immutable after construction: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meabridge::harvest {

class Redactor {
 public:
  Redactor() = default;
  // `secrets`: literal values to hide wherever they appear (empty strings are ignored).
  explicit Redactor(std::vector<std::string> secrets);

  // A URL as it may be shown: userinfo password and credential parameters hidden.
  std::string Url(std::string_view url) const;
  // Any text: every known secret hidden, and every URL in it treated as by Url().
  std::string Text(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;  // longest first
};

// The inverse of Redactor::Url() for one source: `masked` with each "***" it can account for
// put back from `configured`, the source's URL as configured (credentials included): a
// credential parameter's value from the configured URL's parameter of the same name, a userinfo
// password from the configured URL's when user and host are the same. A "***" the configured
// URL does not account for (a credential the server issued) stays as it is: callers compare the
// result with the original to know whether a masked URL can be kept (harvest/state.h).
std::string RestoreUrl(std::string_view masked, std::string_view configured);

// The credentials written into a URL: its userinfo password and the values of its credential
// parameters (IsSecretParam), each as written and decoded, when at least 6 bytes long (a
// shorter value, "?code=FR", is hidden in URLs only). A run hides them wherever they appear,
// not only in URL form (a server echoing an api key into a record's field).
std::vector<std::string> UrlSecrets(std::string_view url);

// True when a query parameter named `name` (case-insensitive) carries a credential.
bool IsSecretParam(std::string_view name);

}  // namespace meabridge::harvest
