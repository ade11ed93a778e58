#!/usr/bin/env bash
# The start-up figure (issue 6): time from exec of `meabridge serve` to its READY=1 on
# $NOTIFY_SOCKET (what systemd waits for with Type=notify), with a store of 1M records, against
# the same measurement on an empty store in the same run. Goal: at most 200 ms.
#
#   bench/ready_bench.sh     a store of N generated contacts (bench/gen_store), RUNS starts of
#                            `serve` on it and RUNS on an empty store, alternated
#
# Environment: N (1000000), RUNS (9), BUILD_DIR (build/bench), WORK (a fresh /tmp folder; a
# store already there is reused).
#
# Each start: a Python listener binds an AF_UNIX datagram socket, starts
# `meabridge serve --config C --port 0` with NOTIFY_SOCKET pointing at it, takes the time from
# just before exec to the datagram holding READY=1 (time.monotonic_ns), then stops the daemon
# with SIGTERM. The configuration has no sources (a harvest at start would only compete for the
# CPU, after READY=1). Prints the median and min/max per store, and the ratio 1M / empty.
# RESULTS=path: the figures also as result lines (bench/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-1000000}
RUNS=${RUNS:-9}
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
WORK=${WORK:-$(mktemp -d /tmp/meabridge-ready-bench.XXXXXX)}
mkdir -p "$WORK"
. "$here/bench/lib.sh"
bin=$BUILD_DIR/src/meabridge
gen=$BUILD_DIR/bench/gen_store
for f in "$bin" "$gen"; do
  [ -x "$f" ] || { echo "ready_bench.sh: $f is missing: cmake --build $BUILD_DIR --target meabridge gen_store" >&2; exit 2; }
done

big=$WORK/big.db
if [ ! -s "$big" ]; then
  echo "ready_bench.sh: generating $N records into $big (once; reused next time)" >&2
  "$gen" "$big" "$N" >&2
fi
rm -f "$WORK/empty.db"
for s in big empty; do
  cat >"$WORK/$s.xml" <<EOF
<meabridge>
  <store location="sqlite:$s.db"/>
  <server bind="127.0.0.1" port="8080" access-log="false"/>
  <log level="notice"/>
</meabridge>
EOF
done

/usr/bin/python3 - "$bin" "$WORK" "$RUNS" "$N" <<'PY' | results_filter
import os, signal, socket, statistics, subprocess, sys, time

binary, work, runs, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def start_to_ready(store):
    path = os.path.join(work, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    t0 = time.monotonic_ns()
    proc = subprocess.Popen([binary, "serve", "--config", os.path.join(work, store + ".xml"),
                             "--port", "0"], env=env, stderr=subprocess.DEVNULL)
    try:
        while True:
            msg = sock.recv(4096).decode()
            if "READY=1" in msg.split("\n"):
                ms = (time.monotonic_ns() - t0) / 1e6
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        sock.close()
    if proc.returncode != 0:
        sys.exit(f"serve on the {store} store exited {proc.returncode}")
    return ms

# Warm the page cache and the dynamic loader once per store, then alternate.
start_to_ready("big"); start_to_ready("empty")
times = {"big": [], "empty": []}
for _ in range(runs):
    for store in ("big", "empty"):
        times[store].append(start_to_ready(store))
for store, label in (("big", f"{n} records"), ("empty", "empty store")):
    t = times[store]
    print(f"exec -> READY=1, {label:>16}: median {statistics.median(t):7.1f} ms  "
          f"(min {min(t):.1f}, max {max(t):.1f}, {len(t)} runs)")
ratio = statistics.median(times["big"]) / statistics.median(times["empty"])
print(f"ratio {n} records / empty: {ratio:.2f}")
print("goal: at most 200 ms with 1M records:",
      "met" if statistics.median(times["big"]) <= 200 else "NOT met")
big = statistics.median(times["big"])
print(f"RESULT\texec to READY=1, {n} records\t{big:.1f}\tms\t{statistics.median(times['empty']):.1f}\t{ratio:.2f}\t<= 200 ms\t{'yes' if big <= 200 else 'no'}")
PY
