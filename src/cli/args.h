// A small, strict argument parser for the subcommands: "--flag VALUE", "--flag=VALUE",
// boolean "--flag", "-o VALUE" short forms, repeated flags, and positionals; "--" ends flags.
// An unknown flag or a missing value is a usage error naming the flag (and the closest
// known flag). Poco::Util's OptionProcessor is built around Poco::Util::Application and
// reports through exceptions; this parser gives us the exact messages and exit code 2.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace meabridge::cli {

struct FlagSpec {
  std::string name;        // "--config"
  std::string short_name;  // "-o" or ""
  bool takes_value = false;
  bool repeatable = false;
};

class Args {
 public:
  static Result<Args> Parse(const std::vector<std::string>& argv,
                            const std::vector<FlagSpec>& flags);

  bool Has(const std::string& flag) const { return values_.count(flag) > 0; }
  // The last value given for `flag`, or `fallback`.
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& flag) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace meabridge::cli
