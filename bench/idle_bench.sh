#!/usr/bin/env bash
# Idle connections cost no worker (issue 14, point 1): a client's requests per second while
# IDLE connections (2,000) sit open and send nothing, against the same client's requests per
# second without them, measured in the same run, alternating, RUNS times (median ratio).
#
#   bench/idle_bench.sh           10k contacts, wrk -t2 -c16 on the single-entity query
#
# Environment: N (10000), IDLE (2000), DURATION (10 s per measurement), RUNS (3),
# THREADS (meabridge worker threads, 128), PEERS (../shared/peers), BUILD_DIR (build/bench),
# WORK (a fresh /tmp folder), MB_PORT (18183). RESULTS=path: the figures also as result lines (bench/lib.sh).
#
# The idle connections come from 127.0.0.1, as wrk's do: the configuration raises
# max-connections-per-client above IDLE so that the server holds them all (with the default
# of 256 it would answer the rest 503 and close them, which costs even less).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
IDLE=${IDLE:-2000}
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
THREADS=${THREADS:-128}
PEERS=${PEERS:-$here/../shared/peers}
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
MB_PORT=${MB_PORT:-18183}
WORK=${WORK:-$(mktemp -d /tmp/meabridge-idle-bench.XXXXXX)}
mkdir -p "$WORK"

pids=()
holder=""
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*" >&2; }
command -v wrk >/dev/null || { echo "idle_bench.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"

. "$here/bench/lib.sh"
build_release meabridge publish_loader
MB="$BUILD_DIR/src/meabridge"
load_contacts "$N"
cat >"$WORK/meabridge.xml" <<XML
<meabridge>
  <store location="sqlite:$WORK/store.db"/>
  <server bind="127.0.0.1" port="$MB_PORT" threads="$THREADS" access-log="false"
          max-connections-per-client="$((IDLE + 1000))" keep-alive-timeout="1h"/>
</meabridge>
XML
setsid "$MB" serve --config "$WORK/meabridge.xml" 2>"$WORK/meabridge.log" &
pids+=($!)
for _ in $(seq 1 30); do curl -fsS -o /dev/null "http://127.0.0.1:$MB_PORT/odata/v4/" 2>/dev/null && break; sleep 1; done
ID=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['value'][0]['id'])" "$WORK/data/contacts-odata-v4.json")
URL="http://127.0.0.1:$MB_PORT/odata/v4/Contacts('$ID')"

# Opens IDLE connections, says "open" once all are connected, and holds them until killed.
start_idle() {
  /usr/bin/python3 -u - "$MB_PORT" "$IDLE" >"$WORK/idle.out" 2>&1 <<'PY' &
import signal, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    held.append(s)
print("open", len(held), flush=True)
signal.pause()
PY
  holder=$!
  until grep -q '^open' "$WORK/idle.out" 2>/dev/null; do
    kill -0 "$holder" 2>/dev/null || { cat "$WORK/idle.out" >&2; exit 1; }
    sleep 0.2
  done
}
stop_idle() { kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; holder=""; }

measure() {  # prints "req/s non2xx"
  local out
  out=$(wrk -t2 -c16 -d"${DURATION}s" "$URL")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/Non-2xx/ {print $5}')"
}

results="$WORK/results.tsv"
: >"$results"
say "wrk -t2 -c16, ${DURATION}s each, $RUNS runs: without, then with $IDLE idle connections"
measure >/dev/null  # warm-up
for run in $(seq 1 "$RUNS"); do
  read -r base bad0 < <(measure)
  start_idle
  read -r with bad1 < <(measure)
  stop_idle
  printf '%s\t%s\t%s\t%s\n' "$base" "$with" "${bad0:-0}" "${bad1:-0}" >>"$results"
  printf '  run %s  without %10s req/s   with %s idle %10s req/s   non-2xx %s/%s\n' \
    "$run" "$base" "$IDLE" "$with" "${bad0:-0}" "${bad1:-0}" >&2
done
/usr/bin/python3 - "$results" "$IDLE" <<'PY' | results_filter
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
base = [float(r[0]) for r in rows]
with_idle = [float(r[1]) for r in rows]
ratios = [w / b for b, w in zip(base, with_idle)]
print("median of %d runs: without %.0f req/s, with %s idle connections %.0f req/s" %
      (len(rows), statistics.median(base), sys.argv[2], statistics.median(with_idle)))
print("ratio with/without: median %.2f (runs %s; goal >= 0.90)" %
      (statistics.median(ratios), ", ".join("%.2f" % r for r in ratios)))
print("non-2xx answers: %d" % sum(int(r[2]) + int(r[3]) for r in rows))
r = statistics.median(ratios)
print("RESULT\treq/s with %s idle connections\t%.0f\treq/s\t%.0f\t%.2f\t>= 0.9x\t%s" %
      (sys.argv[2], statistics.median(with_idle), statistics.median(base), r, "yes" if r >= 0.9 else "no"))
PY
