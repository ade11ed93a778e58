#!/usr/bin/env bash
# The scaling figures (issue 7, docs/scaling.md), measured in one run:
#
#   1. harvest throughput on PostgreSQL vs SQLite: `meabridge harvest` of a file source holding
#      RECORDS contacts (gen_contacts.py's OData V2 verbose JSON, one document, mapped by
#      mappings/informea-odata-v2/contacts.xml) into a fresh store, wall clock of the process,
#      median of RUNS runs per backend (the runs alternate between the backends); then the
#      unchanged re-harvest (--full: decoded, mapped and found unchanged in the store);
#   2. publish req/s on one PostgreSQL store of RECORDS contacts: 1 node driven by one wrk with
#      CONNS connections (2 threads), against 2 nodes driven at the same time by one wrk each with
#      CONNS/2 connections (1 thread each), summed; the filtered query of the publisher's bench
#      (/odata/v4/Contacts?$filter=country eq 'FR'&$top=100&$orderby=updated desc); median of
#      PUB_RUNS rounds. For reference, 1 node on a SQLite store of the same records.
#
# PostgreSQL: the script starts its own server (Debian's initdb and pg_ctl, as `nobody` when run
# as root, on 127.0.0.1 and a free port, durable settings as bench/store_bench: fsync,
# synchronous_commit and full_page_writes on, shared_buffers 256MB) in a folder it removes
# afterwards, like tests/support/postgres_server.cc does; or uses $MEABRIDGE_BENCH_PG_URL (a
# libpq URI whose user may create schemas; every store is a fresh schema there, dropped at the
# end).
#
#   bench/scaling_bench.sh
#   RECORDS=100000 RUNS=5 PUB_RUNS=3 DURATION=10 CONNS=64 THREADS=64 POOL=32 bench/scaling_bench.sh
#   BIN=path/to/meabridge LOADER=path/to/publish_loader bench/scaling_bench.sh   (build nothing)
# RESULTS=path: the figures also as result lines (bench/lib.sh).
#
# This machine has 2 cores shared by wrk, the nodes and PostgreSQL: figure 2 says how the work
# divides, not how 2 machines would scale (docs/scaling.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. bench/lib.sh
build=${BUILD:-build-scaling-bench}
records=${RECORDS:-100000}
runs=${RUNS:-5}
pub_runs=${PUB_RUNS:-3}
duration=${DURATION:-10}
conns=${CONNS:-64}
threads=${THREADS:-64}
pool=${POOL:-32}
port_a=${PORT_A:-18941}
port_b=${PORT_B:-18942}
peers=/work/shared/peers
[ -d "$peers" ] || peers=../shared/peers
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "scaling_bench.sh: $tool is needed (apt-get install $tool)" >&2; exit 2; }
done

if [ -n "${BIN:-}" ]; then
  bin=$(realpath "$BIN")
  loader=$(realpath "${LOADER:?scaling_bench.sh: with BIN, set LOADER to a built bench/publish_loader}")
else
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF -DMEABRIDGE_BENCH=ON >/dev/null
  cmake --build "$build" -j"${JOBS:-2}" --target meabridge publish_loader >/dev/null
  bin="$root/$build/src/meabridge"
  loader="$root/$build/bench/publish_loader"
fi

work=$(mktemp -d /tmp/meabridge-scaling-bench.XXXXXX)
pgdir=
pg_ctl=
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${MEABRIDGE_BENCH_PG_URL:-}" ]; then
    while read -r s; do psql -X -q "$pg_base" -c "DROP SCHEMA $s CASCADE" >/dev/null 2>&1 || true; done <"$work/schemas"
  fi
  if [ -n "$pg_ctl" ]; then $as "$pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  [ -n "$pgdir" ] && rm -rf "$pgdir"
  [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
say() { printf '== %s\n' "$*" >&2; }

# --- PostgreSQL ---------------------------------------------------------------------------
as=
if [ -n "${MEABRIDGE_BENCH_PG_URL:-}" ]; then
  pg_base=$MEABRIDGE_BENCH_PG_URL
  command -v psql >/dev/null || { echo "scaling_bench.sh: psql is needed (apt-get install postgresql-client)" >&2; exit 2; }
  psql_bin=psql
  say "PostgreSQL: \$MEABRIDGE_BENCH_PG_URL"
else
  bindir=${MEABRIDGE_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  [ -x "$bindir/initdb" ] || { echo "scaling_bench.sh: PostgreSQL server binaries not found: install Debian's postgresql package (scripts/setup.sh does), set MEABRIDGE_PG_BINDIR, or MEABRIDGE_BENCH_PG_URL" >&2; exit 2; }
  pgdir=$(mktemp -d /tmp/meabridge-scaling-pg.XXXXXX)
  # initdb and pg_ctl refuse root: the server runs as nobody then, in a folder nobody owns.
  if [ "$(id -u)" = 0 ]; then chown nobody "$pgdir"; as="runuser -u nobody --"; fi
  password=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
  echo "$password" >"$pgdir/pwfile"
  [ -n "$as" ] && chown nobody "$pgdir/pwfile"
  $as "$bindir/initdb" -D "$pgdir/data" -U meabridge --pwfile="$pgdir/pwfile" --auth-host=scram-sha-256 \
    --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 ||
    { cat "$pgdir/initdb.log" >&2; exit 1; }
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pg_ctl="$bindir/pg_ctl"
  $as "$pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -w -t 60 \
    -o "-c port=$pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pgdir -c max_connections=200 -c shared_buffers=256MB -c log_min_messages=warning" \
    start >/dev/null || { cat "$pgdir/postgres.log" >&2; exit 1; }
  pg_base="postgresql://meabridge:$password@127.0.0.1:$pg_port/postgres"
  psql_bin="$bindir/psql"
  say "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (durable settings), data in $pgdir"
fi
# Prints the location of a fresh, empty PostgreSQL store (a schema of its own). Runs in $(...):
# the names go to a file for the cleanup.
fresh_pg() {
  local s="scaling_$$_$(wc -l <"$work/schemas" | tr -d ' ')"
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$pg_base" -c "CREATE SCHEMA $s" >/dev/null
  echo "$s" >>"$work/schemas"
  case "$pg_base" in *\?*) echo "$pg_base&options=-csearch_path%3D$s" ;; *) echo "$pg_base?options=-csearch_path%3D$s" ;; esac
}
: >"$work/schemas"
xml() { sed 's/&/\&amp;/g' <<<"$1"; }

# --- data -----------------------------------------------------------------------------------
say "data: $records contacts (gen_contacts.py) in $work"
/usr/bin/python3 "$peers/gen_contacts.py" "$records" "$work/gen" >/dev/null
source_xml="<source name=\"partner\" kind=\"file\" path=\"$work/gen/contacts-odata-v2.json\" deletion=\"snapshot\" schedule=\"manual\"
          mapping=\"$root/mappings/informea-odata-v2/contacts.xml\"/>"
harvest_config() {  # harvest_config FILE LOCATION
  cat >"$1" <<XML
<meabridge>
  <store location="$(xml "$2")"/>
  <log level="warning"/>
  $source_xml
</meabridge>
XML
}

# --- 1. harvest throughput --------------------------------------------------------------------
say "1. harvest of $records records from a file source, $runs runs per backend"
: >"$work/harvest.tsv"
timed() {  # timed BACKEND KIND CONFIG [ARGS...] -> appends "backend kind seconds in-run" to harvest.tsv
  local backend=$1 kind=$2 cfg=$3 expect
  shift 3
  [ "$kind" = first ] && expect="created $records" || expect="unchanged $records"
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$("$bin" harvest -c "$cfg" "$@") || { echo "$out" >&2; echo "scaling_bench.sh: harvest failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  grep -q "$expect" <<<"$out" || { echo "scaling_bench.sh: expected '$expect' in: $out" >&2; exit 1; }
  local inrun wall
  inrun=$(grep -o '  [0-9.]*s  ' <<<"$out" | head -1 | tr -d ' s')
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  printf '%s\t%s\t%s\t%s\n' "$backend" "$kind" "$wall" "${inrun:-nan}" >>"$work/harvest.tsv"
  printf '  %-10s %-9s %6.2f s (in-run %s s)\n' "$backend" "$kind" "$wall" "${inrun:-?}" >&2
}
for i in $(seq 1 "$runs"); do
  rm -rf "$work/store.db"*
  harvest_config "$work/sqlite.xml" "sqlite:$work/store.db"
  timed sqlite first "$work/sqlite.xml"
  timed sqlite unchanged "$work/sqlite.xml" --full
  harvest_config "$work/pg-$i.xml" "$(fresh_pg)"
  timed postgresql first "$work/pg-$i.xml"
  timed postgresql unchanged "$work/pg-$i.xml" --full
done

# --- 2. publish, 1 node vs 2 nodes on one PostgreSQL --------------------------------------------
say "2. publish: $records contacts loaded into PostgreSQL (and SQLite, for reference)"
pub_pg=$(fresh_pg)
"$loader" load "$pub_pg" "$work/gen/contacts-odata-v4.json" >&2
rm -rf "$work/pub.db"*
"$loader" load "sqlite:$work/pub.db" "$work/gen/contacts-odata-v4.json" >&2
echo "a link secret shared by the nodes of this bench" >"$work/link-secret"
serve_config() {  # serve_config FILE LOCATION
  cat >"$1" <<XML
<meabridge>
  <store location="$(xml "$2")"/>
  <server bind="127.0.0.1" port="8080" threads="$threads" access-log="false"
          public-url="http://127.0.0.1:8080/" link-secret-file="$work/link-secret"/>
  <log level="warning"/>
</meabridge>
XML
}
case "$pub_pg" in *\?*) pooled="$pub_pg&pool_size=$pool" ;; *) pooled="$pub_pg?pool_size=$pool" ;; esac
serve_config "$work/serve-pg.xml" "$pooled"
serve_config "$work/serve-sqlite.xml" "sqlite:$work/pub.db"
wait_http() {
  for _ in $(seq 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "scaling_bench.sh: $1 did not answer" >&2
  exit 1
}
start_node() {  # start_node CONFIG PORT NAME
  "$bin" serve --config "$1" --port "$2" 2>"$work/$3.log" &
  pids+=($!)
  wait_http "http://127.0.0.1:$2/odata/v4/"
}
FILTERED="/odata/v4/Contacts?\$filter=country%20eq%20%27FR%27&\$top=100&\$orderby=updated%20desc"
rps() { awk '/Requests\/sec/ {print $2}'; }
# CPU time (user + system, in clock ticks) of processes: the nodes, and the PostgreSQL server's
# processes (the postmaster and its children; only when this script started the server).
ticks() {
  local sum=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    sum=$((sum + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
  done
  echo "$sum"
}
pg_pids() {
  [ -n "$pgdir" ] || return 0
  local pm
  pm=$(head -1 "$pgdir/data/postmaster.pid")
  echo "$pm" $(ps -o pid= --ppid "$pm")
}
hz=$(getconf CLK_TCK)
: >"$work/publish.tsv"
measure() {  # measure LABEL: one round of wrk runs of the current setup
  local n0 p0 n1 p1
  n0=$(ticks "${pids[@]}")
  p0=$(ticks $(pg_pids))
  case "$1" in
    one|sqlite)
      r=$(wrk -t2 -c"$conns" -d"${duration}s" "http://127.0.0.1:$port_a$FILTERED" | rps) ;;
    two)
      wrk -t1 -c$((conns / 2)) -d"${duration}s" "http://127.0.0.1:$port_a$FILTERED" >"$work/wrk-a.txt" &
      local wa=$!
      wrk -t1 -c$((conns / 2)) -d"${duration}s" "http://127.0.0.1:$port_b$FILTERED" >"$work/wrk-b.txt"
      wait "$wa"
      r=$(awk -v a="$(rps <"$work/wrk-a.txt")" -v b="$(rps <"$work/wrk-b.txt")" 'BEGIN { printf "%.2f", a + b }') ;;
  esac
  n1=$(ticks "${pids[@]}")
  p1=$(ticks $(pg_pids))
  # CPU microseconds per request in the nodes and in PostgreSQL.
  local node_us pg_us
  node_us=$(awk -v t=$((n1 - n0)) -v hz="$hz" -v r="$r" -v d="$duration" 'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d) }')
  pg_us=$(awk -v t=$((p1 - p0)) -v hz="$hz" -v r="$r" -v d="$duration" 'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d) }')
  printf '%s\t%s\t%s\t%s\n' "$1" "$r" "$node_us" "$pg_us" >>"$work/publish.tsv"
  printf '  %-7s %10s req/s   CPU per request: nodes %6s us, PostgreSQL %6s us\n' "$1" "$r" "$node_us" "$pg_us" >&2
}
say "node A (and B) on :$port_a (:$port_b), $threads threads, pool_size $pool each; wrk ${duration}s, $conns connections in all"
start_node "$work/serve-pg.xml" "$port_a" node-a
start_node "$work/serve-pg.xml" "$port_b" node-b
a_bytes=$(curl -fsS "http://127.0.0.1:$port_a$FILTERED" | md5sum)
b_bytes=$(curl -fsS "http://127.0.0.1:$port_b$FILTERED" | md5sum)
[ "$a_bytes" = "$b_bytes" ] || { echo "scaling_bench.sh: the two nodes answer different bytes" >&2; exit 1; }
for i in $(seq 1 "$pub_runs"); do
  measure one
  measure two
done
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
pids=()
start_node "$work/serve-sqlite.xml" "$port_a" node-sqlite
for i in $(seq 1 "$pub_runs"); do measure sqlite; done

# --- report ---------------------------------------------------------------------------------------
python3 - "$work/harvest.tsv" "$work/publish.tsv" "$records" "$runs" "$pub_runs" "$conns" <<'PY' | results_filter
import statistics, sys
harvest, publish, records, runs, pub_runs, conns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
h = {}
for line in open(harvest):
    b, k, wall, inrun = line.split("\t")
    h.setdefault((b, k), []).append(float(wall))
p, cpu = {}, {}
for line in open(publish):
    k, r, node_us, pg_us = line.rstrip("\n").split("\t")
    p.setdefault(k, []).append(float(r))
    cpu.setdefault(k, []).append((float(node_us), float(pg_us)))
med = lambda v: statistics.median(v)
print(f"\n1. harvest of {records} records (file source), median of {runs} runs, wall clock of the process")
for kind, label in (("first", "first harvest (all created)"), ("unchanged", "re-harvest --full (all unchanged)")):
    s, q = med(h[("sqlite", kind)]), med(h[("postgresql", kind)])
    print(f"   {label:36s} SQLite {s:6.2f} s = {records / s:9,.0f} rec/s   PostgreSQL {q:6.2f} s = {records / q:9,.0f} rec/s"
          f"   PostgreSQL/SQLite {s / q:.2f}")
one, two = med(p["one"]), med(p["two"])
print(f"\n2. publish, filtered query, {records} contacts on one PostgreSQL, {conns} connections in all, median of {pub_runs} rounds")
print(f"   1 node  (wrk -t2 -c{conns})                 {one:10,.0f} req/s")
print(f"   2 nodes (2 x wrk -t1 -c{conns // 2}, at once, summed) {two:10,.0f} req/s   2 nodes / 1 node {two / one:.2f}")
print(f"   reference: 1 node on SQLite               {med(p['sqlite']):10,.0f} req/s")
print("   CPU time per request (median), in the node processes and in the PostgreSQL server:")
for k, label in (("one", "1 node"), ("two", "2 nodes"), ("sqlite", "SQLite node")):
    node_us, pg_us = med([c[0] for c in cpu[k]]), med([c[1] for c in cpu[k]])
    line = f"     {label:12s} nodes {node_us:6.1f} us"
    if k != "sqlite" and pg_us > 0:
        line += f"   PostgreSQL {pg_us:6.1f} us   -> one core serves {1e6 / node_us:8,.0f} req/s as a node, {1e6 / pg_us:8,.0f} req/s as PostgreSQL"
    elif k == "sqlite":
        line += f"   -> one core serves {1e6 / node_us:8,.0f} req/s as a node"
    print(line)
s, q = med(h[("sqlite", "first")]), med(h[("postgresql", "first")])
print(f"RESULT\tharvest PostgreSQL vs SQLite\t{records / q:.0f}\trec/s\t{records / s:.0f}\t{s / q:.2f}\t-\t-")
print(f"RESULT\tpublish 2 nodes vs 1 node, one PostgreSQL\t{two:.0f}\treq/s\t{one:.0f}\t{two / one:.2f}\t-\t-")
PY
