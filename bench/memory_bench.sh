#!/usr/bin/env bash
# The harvest memory figure (issue 14, point 2), measured in one run, each the median of RUNS
# runs: peak resident memory (/usr/bin/time's maximum RSS) of a first `meabridge harvest` of N
# and of 4N contacts of about 2.3 KB (OData V2 verbose JSON, 1,000 per page, linked by __next,
# served by nginx on 127.0.0.1) into a fresh SQLite store. Goals: at most 1.2x from N to 4N,
# and under 150 MB at 4N (N = 100,000: 400k records, 920 MB of pages). The records/s of each
# run is shown beside it. Pages come from bench/memory_pages.py into a temporary folder (never
# committed); nginx from ../shared/peers/nginx/serve.sh.
#
#   bench/memory_bench.sh        (RUNS=3 N=100000 PORT=18935)
#   BIN=path/to/meabridge bench/memory_bench.sh     (measure that binary, build nothing)
# RESULTS=path: the figures also as result lines (bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. bench/lib.sh
runs=${RUNS:-3}
n=${N:-100000}
port=${PORT:-18935}
peers=/work/shared/peers
[ -d "$peers" ] || peers=../shared/peers
for tool in nginx curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "memory_bench.sh: $tool is needed" >&2; exit 2; }
done
if [ -n "${BIN:-}" ]; then
  bin=$(realpath "$BIN")
else
  build=${BUILD:-build/bench}
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF -DMEABRIDGE_BENCH=OFF >/dev/null
  cmake --build "$build" -j"${JOBS:-2}" --target meabridge >/dev/null
  bin="$root/$build/src/meabridge"
fi

data=$(mktemp -d /tmp/meabridge-memory-bench.XXXXXX)
chmod 755 "$data"  # nginx workers read the pages
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$data"
}
trap cleanup EXIT

big=$((n * 4))
for count in "$n" "$big"; do
  /usr/bin/python3 bench/memory_pages.py "$count" "$data/site/c$count" "http://127.0.0.1:$port/c$count"
  cat >"$data/c$count.xml" <<XML
<meabridge>
  <store location="sqlite:$data/store.db"/>
  <log level="warning"/>
  <source name="partner" kind="http" url="http://127.0.0.1:$port/c$count/page-1.json"
          mapping="$root/mappings/informea-odata-v2/contacts.xml" deletion="snapshot"/>
</meabridge>
XML
done
"$peers/nginx/serve.sh" "$data/site" "$port" 1 >"$data/nginx.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/c$n/page-1.json" && break; sleep 0.1; done

# One first harvest into a fresh store: "PEAK_KB SECONDS".
harvest() {
  local count=$1
  rm -rf "$data"/store.db*
  /usr/bin/time -o "$data/time.out" -f "%M %e" "$bin" harvest -c "$data/c$count.xml" \
    >"$data/harvest.out" 2>&1 || { echo "harvest of $count failed:" >&2; tail -n 5 "$data/harvest.out" >&2; exit 1; }
  grep -q "created $count " "$data/harvest.out" ||
    { echo "harvest of $count did not create $count records:" >&2; cat "$data/harvest.out" >&2; exit 1; }
  tail -1 "$data/time.out"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: >"$data/mem.n"; : >"$data/mem.4n"; : >"$data/t.n"; : >"$data/t.4n"
for i in $(seq 1 "$runs"); do
  read -r m t <<<"$(harvest "$n")"; echo "$m" >>"$data/mem.n"; echo "$t" >>"$data/t.n"
  read -r m4 t4 <<<"$(harvest "$big")"; echo "$m4" >>"$data/mem.4n"; echo "$t4" >>"$data/t.4n"
  echo "run $i: $n in ${t}s, peak ${m} KB; $big in ${t4}s, peak ${m4} KB" >&2
done
awk -v n="$n" -v big="$big" -v runs="$runs" -v m1="$(median <"$data/mem.n")" \
    -v m4="$(median <"$data/mem.4n")" -v t1="$(median <"$data/t.n")" -v t4="$(median <"$data/t.4n")" 'BEGIN {
  printf "peak memory, first harvest of %d contacts of 2.3 KB: %.1f MB (%.0f records/s)\n", n, m1 / 1024, n / t1
  printf "peak memory, first harvest of %d contacts of 2.3 KB: %.1f MB (%.0f records/s; goal < 150 MB)\n", big, m4 / 1024, big / t4
  printf "ratio %d / %d: %.2fx (goal <= 1.2x), median of %d runs\n", big, n, m4 / m1, runs
  x = m4 / m1
  printf "RESULT\tharvest peak memory %d vs %d\t%.1f\tMB\t%.1f\t%.2f\t<= 1.2x, < 150 MB\t%s\n", big, n, m4 / 1024, m1 / 1024, x, (x <= 1.2 && m4 / 1024 < 150) ? "yes" : "no"
}' | results_filter
