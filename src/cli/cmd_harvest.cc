// meabridge harvest: not built yet; a later version delivers it.
#include <ostream>

#include "cli/common.h"

namespace meabridge::cli {

void RegisterHarvest(std::vector<Command>& out) {
  out.push_back(Command{
      "harvest", "harvest sources once and print the run summary",
      "usage: meabridge harvest ...\n\nharvest sources once and print the run summary.\nNot available in this version of meabridge.\n",
      [](const std::vector<std::string>&, Io& io) {
        io.err << "meabridge harvest: not available in this version of meabridge\n";
        return kExitUsage;
      }});
}

}  // namespace meabridge::cli
