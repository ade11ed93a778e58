#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs `meabridge serve` on
# the embedded default (SQLite store ./meabridge.db in the current folder, the bundled demo
# sources, feeds on http://localhost:8080/). Extra arguments go to `meabridge serve`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh"
"$here/scripts/build.sh" release meabridge
exec "$here/build/release/src/meabridge" serve "$@"
