// The manual pages, generated from what the program already says so that they cannot drift:
// meabridge(1) from the command table (each command's --help text is its section) and
// meabridge.xml(5) from the configuration spec (config/spec.h). `meabridge help --man` and
// `meabridge help --man-config` print them; the build writes them into the package
// (cmake/Packaging.cmake). Pure functions of constant tables: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "config/spec.h"

namespace meabridge::cli {

// meabridge(1): NAME, SYNOPSIS and DESCRIPTION from `main_usage` (the text of
// `meabridge --help`), then one subsection per command holding its --help text verbatim.
std::string ManPage(const std::string& main_usage, const std::vector<Command>& commands);

// meabridge.xml(5): every element of `root` with its attributes (type, default, allowed
// values, documentation, example), nested as in the file.
std::string ConfigManPage(const config::ElementSpec& root);

// `text` as roff that prints it unchanged: backslashes, leading dots and apostrophes and
// hyphens escaped (options keep an ASCII minus when copied from the page).
std::string RoffEscape(std::string_view text);

}  // namespace meabridge::cli
