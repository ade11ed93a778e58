// meabridge: the thin command-line shell over libmeabridge (src/cli/commands.h).
#include "cli/commands.h"

int main(int argc, char** argv) { return meabridge::cli::Main(argc, argv); }
