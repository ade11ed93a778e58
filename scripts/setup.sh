#!/usr/bin/env bash
# Installs every Debian 12 package meabridge needs to build, test and benchmark, when missing.
# Idempotent and quiet when all is there: the README's two commands call it first.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config git ca-certificates
  libpoco-dev rapidjson-dev libpugixml-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev
  libsystemd-dev libmariadb-dev ccache
  # time zones of sql sources (the system tz database through the date library)
  libhowardhinnant-date-dev tzdata
  # run time data: countries and languages; file extensions of media types (/etc/mime.types)
  iso-codes media-types
  # tests
  libgtest-dev libgmock-dev clang libclang-rt-14-dev sqlite3 postgresql mariadb-server
  python3 python3-feedparser python3-rdflib chromium systemd
  # the InforMEA harvester suite (tests/partner/): its consumer and migrations run under
  # php-cli; they fetch with curl (ODataConsumer::itemExists, our http_request stub) and
  # decode with json_decode (built into php-cli); nothing of theirs needs XML or mbstring
  php-cli php-curl
  # the package's tests: lintian, and the system test's Debian 12 container (debootstrap,
  # systemd-nspawn from systemd-container; curl and jq to look at it)
  lintian debootstrap systemd-container curl
  # benchmarks
  libbenchmark-dev jq wrk nginx-light hyperfine time
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm (for the npm OData client test): any install will do; some machines carry
# NodeSource's nodejs, whose bundled npm conflicts with Debian's npm package.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo; missing: ${missing[*]}" >&2; exit 2; }
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
