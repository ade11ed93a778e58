// meabridge export: not built yet; a later version delivers it.
#include <ostream>

#include "cli/common.h"

namespace meabridge::cli {

void RegisterExport(std::vector<Command>& out) {
  out.push_back(Command{
      "export", "write stored records as json, csv, xml, atom or jsonld",
      "usage: meabridge export ...\n\nwrite stored records as json, csv, xml, atom or jsonld.\nNot available in this version of meabridge.\n",
      [](const std::vector<std::string>&, Io& io) {
        io.err << "meabridge export: not available in this version of meabridge\n";
        return kExitUsage;
      }});
}

}  // namespace meabridge::cli
