// The small closed vocabularies we keep ourselves: membership status (with the UN Treaty
// Collection suffix codes), decision type and status, meeting type and status. Tables in
// statuses.cc (one source of truth); immutable once built.
#pragma once

#include <memory>

#include "core/status.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

Result<std::unique_ptr<Vocabulary>> MakeMembershipStatus();
Result<std::unique_ptr<Vocabulary>> MakeDecisionType();
Result<std::unique_ptr<Vocabulary>> MakeDecisionStatus();
Result<std::unique_ptr<Vocabulary>> MakeMeetingType();
Result<std::unique_ptr<Vocabulary>> MakeMeetingStatus();

}  // namespace meabridge::vocab
