// meabridge serve: not built yet; a later version delivers it.
#include <ostream>

#include "cli/common.h"

namespace meabridge::cli {

void RegisterServe(std::vector<Command>& out) {
  out.push_back(Command{
      "serve", "run the daemon: harvest on schedule and publish feeds",
      "usage: meabridge serve ...\n\nrun the daemon: harvest on schedule and publish feeds.\nNot available in this version of meabridge.\n",
      [](const std::vector<std::string>&, Io& io) {
        io.err << "meabridge serve: not available in this version of meabridge\n";
        return kExitUsage;
      }});
}

}  // namespace meabridge::cli
