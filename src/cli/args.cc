#include "cli/args.h"

#include "config/values.h"

namespace meabridge::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::vector<FlagSpec>& flags) {
  Args out;
  bool only_positional = false;
  auto find = [&](const std::string& name) -> const FlagSpec* {
    for (const FlagSpec& f : flags) {
      if (f.name == name || (!f.short_name.empty() && f.short_name == name)) return &f;
    }
    return nullptr;
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.empty() || a[0] != '-' || a == "-") {
      out.positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const FlagSpec* f = find(name);
    if (!f) {
      std::vector<std::string> names;
      for (const FlagSpec& fs : flags) names.push_back(fs.name);
      std::string close = config::ClosestMatch(name, names);
      return Status::InvalidArgument("unknown option " + name +
                                     (close.empty() ? "" : " (did you mean " + close + "?)"));
    }
    if (f->takes_value && !inline_value) {
      if (i + 1 >= argv.size()) return Status::InvalidArgument("option " + name + " needs a value");
      value = argv[++i];
    } else if (!f->takes_value && inline_value) {
      return Status::InvalidArgument("option " + f->name + " takes no value");
    }
    auto& slot = out.values_[f->name];
    if (!slot.empty() && !f->repeatable) {
      return Status::InvalidArgument("option " + f->name + " given more than once");
    }
    slot.push_back(value);
  }
  return out;
}

std::string Args::Get(const std::string& flag, const std::string& fallback) const {
  auto it = values_.find(flag);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace meabridge::cli
