// meabridge mapping test: not built yet; a later version delivers it.
#include <ostream>

#include "cli/common.h"

namespace meabridge::cli {

void RegisterMapping(std::vector<Command>& out) {
  out.push_back(Command{
      "mapping test", "run a mapping over a file and show records and rejects",
      "usage: meabridge mapping test ...\n\nrun a mapping over a file and show records and rejects.\nNot available in this version of meabridge.\n",
      [](const std::vector<std::string>&, Io& io) {
        io.err << "meabridge mapping test: not available in this version of meabridge\n";
        return kExitUsage;
      }});
}

}  // namespace meabridge::cli
