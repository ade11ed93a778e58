// The treaties vocabulary: InforMEA machine names ("cbd", "plant_treaty" ...) with their English
// titles, the names sources use for them ("Convention on Biological Diversity", "UNFCCC",
// "itpgrfa", "Kyoto Protocol") and the parent of each protocol or daughter agreement.
// Our own table, kept in treaties.cc (one source of truth); immutable once built.
#pragma once

#include <memory>

#include "core/status.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

Result<std::unique_ptr<Vocabulary>> MakeTreaties();

}  // namespace meabridge::vocab
