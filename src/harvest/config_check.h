// The one check of a loaded configuration's mappings. `check-config`, `serve` (at start and at
// every reload), `harvest`, `export` and every other command that reads a configuration make
// it, before anything is opened, created or written: a configuration one of them refuses, all
// of them refuse (exit 2, or a refused reload that keeps the running configuration).
//
// What it checks: every source's mapping and every profile's outbound mapping compiles against
// the vocabularies; the parameters a source gives are those its mapping declares and uses; a
// `sql` source's mapping decodes rows (format csv) and its child queries are those the mapping
// reads. What it does not: whether a database answers, or has the columns the mapping reads
// (`check-config` alone asks the database, harvest::DescribeSqlQueries).
//
// Pure apart from reading the mapping files: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "vocab/vocabulary.h"

namespace meabridge::harvest {

// One line per problem: "CONFIG:LINE:COL: source 'NAME': MAPPING-FILE:LINE:COL: what is wrong"
// (or "profile 'NAME'"). Empty when every mapping can be used.
std::vector<std::string> CheckMappings(const config::Config& cfg,
                                       const vocab::Vocabularies& vocabularies);

}  // namespace meabridge::harvest
