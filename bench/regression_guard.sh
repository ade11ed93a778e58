#!/usr/bin/env bash
# The regression guard CI runs (scripts/test.sh, after the normal build's tests; issue 17,
# point 5): a short run of the store and mapping micro-benchmarks of the normal build, each
# against its baseline measured in the same run, failing only when a ratio falls far below the
# range recorded in bench/regression_ranges.tsv (where each range came from is written there).
# The floors sit below every ratio measured on the shared 2-core machine, loaded or not, and
# above half of the ratio's usual value: noise does not fail CI, a 2x slower store or mapping
# does. A faster figure never fails (only the floor is checked).
#
#   bench/regression_guard.sh              uses build/test/bench (scripts/build.sh test)
#   BUILD_DIR=path bench/regression_guard.sh
#   SLOWDOWN=2 bench/regression_guard.sh   divides every measured meabridge figure by 2 before
#                                          comparing (a simulated 2x regression): must fail,
#                                          each figure on its own (exit 1)
#
# Figures (about a minute on the shared 2-core machine):
#   store_new        bench/store_bench BM_StoreUpsertNew / BM_RawSqliteInsert: records/s of
#                    RECORDS (20,000) 1 KB records by the user CPU time of the benchmark's
#                    thread (its counter user_cpu_ms, bench/user_cpu.h), median of 3
#                    repetitions (the wall-time ratio, fsync waits included, moved from 0.56
#                    to 1.17 between runs on the loaded machine; the thread-CPU-time ratio,
#                    which counts the kernel's share of the writes, was 1.0 on one machine and
#                    0.3 on another with the same binary; by user time it stays within
#                    0.17-0.20 loaded or not)
#   store_unchanged  BM_StoreUpsertUnchanged / BM_RawSqliteInsert, the same run, the same way
#   mapping          bench/mapping_bench BM_ODataV2Contacts (decode + map, user CPU time of
#                    the thread) / jq applying the same field mapping (bench/mapping_vs_jq.sh's
#                    program; user CPU time of the process), MAP_RECORDS (5,000) generated
#                    contacts, median of 3 each
# User CPU time, not wall time, so that the other work on the shared cores and the kernel's
# cost on a given machine move the figures less; what it cannot see is a regression in
# waiting (an extra fsync) or in system calls: bench/all.sh measures those by wall time.
#
# Environment: BUILD_DIR (build/test), RECORDS (20000), MAP_RECORDS (5000), SLOWDOWN (1), ATTEMPTS (3),
# RANGES (bench/regression_ranges.tsv), WORK (a fresh /tmp folder, removed afterwards),
# RESULTS (bench/lib.sh: the ratios also as result lines). Exit status: 0 all within their
# floors in one of ATTEMPTS measurements, 1 a ratio below its floor in every one, 2 a tool or
# binary missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here/build/test}
RECORDS=${RECORDS:-20000}
MAP_RECORDS=${MAP_RECORDS:-5000}
SLOWDOWN=${SLOWDOWN:-1}
RANGES=${RANGES:-$here/bench/regression_ranges.tsv}
PEERS=${PEERS:-/work/shared/peers}
[ -d "$PEERS" ] || PEERS=$here/../shared/peers
keep_work=${WORK:+1}
WORK=${WORK:-$(mktemp -d /tmp/meabridge-guard.XXXXXX)}
mkdir -p "$WORK"
[ -n "$keep_work" ] || trap 'rm -rf "$WORK"' EXIT
. "$here/bench/lib.sh"
for f in "$BUILD_DIR/bench/store_bench" "$BUILD_DIR/bench/mapping_bench"; do
  [ -x "$f" ] || { echo "regression_guard.sh: $f is missing (scripts/build.sh test builds it)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "regression_guard.sh: jq is needed (apt-get install jq)" >&2; exit 2; }
start=$(date +%s)

printf '== regression guard: store and mapping against their same-run baselines (load %s on %s cores)\n' \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
# One measurement and its verdict (0: every ratio at or above its floor).
measure() {
"$BUILD_DIR/bench/store_bench" --records="$RECORDS" --benchmark_filter='RawSqlite|StoreUpsert' \
  --benchmark_repetitions=3 --benchmark_out="$WORK/store.json" --benchmark_out_format=json \
  >"$WORK/store.txt" 2>&1 || { cat "$WORK/store.txt" >&2; exit 1; }

/usr/bin/python3 "$PEERS/gen_contacts.py" "$MAP_RECORDS" "$WORK/map" >/dev/null
sed -n '/^def t/,/with_entries/p' "$here/bench/mapping_vs_jq.sh" >"$WORK/contacts.jq"
MEABRIDGE_BENCH_DIR="$WORK/map" "$BUILD_DIR/bench/mapping_bench" --benchmark_filter='BM_ODataV2Contacts$' \
  --benchmark_min_time=0.5 --benchmark_repetitions=3 --benchmark_out="$WORK/mapping.json" \
  --benchmark_out_format=json >"$WORK/mapping.txt" 2>&1 || { cat "$WORK/mapping.txt" >&2; exit 1; }

judge_rc=0
/usr/bin/python3 - "$WORK" "$RANGES" "$SLOWDOWN" "$MAP_RECORDS" "$RECORDS" <<'PY' | results_filter || judge_rc=$?
import json, os, statistics, subprocess, sys
work, ranges_path, slowdown, map_records, records = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def medians(path, records):
    """records/s of each benchmark's median by the user CPU time of its thread (bench/user_cpu.h)."""
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            name = b["run_name"].split("/")[0]
            out[name] = records / (b["user_cpu_ms"] / 1000)
    return out

store = medians(f"{work}/store.json", records)
mapping = medians(f"{work}/mapping.json", map_records)

# jq's user CPU time for the same file, median of 3.
doc = f"{work}/map/contacts-odata-v2.json"
jq_rates = []
for _ in range(3):
    before = os.times()
    with open(os.devnull, "w") as null:
        subprocess.run(["jq", "-c", "-f", f"{work}/contacts.jq", doc], stdout=null, check=True)
    after = os.times()
    jq_rates.append(map_records / (after.children_user - before.children_user))
jq_rate = statistics.median(jq_rates)

figures = {
    "store_new": (store["BM_StoreUpsertNew"] / slowdown, store["BM_RawSqliteInsert"], "raw sqlite3 INSERT"),
    "store_unchanged": (store["BM_StoreUpsertUnchanged"] / slowdown, store["BM_RawSqliteInsert"], "raw sqlite3 INSERT"),
    "mapping": (mapping["BM_ODataV2Contacts"] / slowdown, jq_rate, "jq, same mapping"),
}
ranges = {}
for line in open(ranges_path):
    if line.startswith("#") or not line.strip():
        continue
    name, lo, hi, floor, *_ = line.rstrip("\n").split("\t")
    ranges[name] = (float(lo), float(hi), float(floor))

failed = 0
print(f"{'figure':<16} {'records/s':>10} {'baseline/s':>10} {'ratio':>7}  {'recorded':>11} {'floor':>6}  verdict")
for name, (value, base, what) in figures.items():
    lo, hi, floor = ranges[name]
    ratio = value / base
    ok = ratio >= floor
    failed += not ok
    print(f"{name:<16} {value:>10,.0f} {base:>10,.0f} {ratio:>7.2f}  {lo:>5.2f}-{hi:<5.2f} {floor:>6.2f}  "
          + ("ok" if ok else "REGRESSION (below the floor)"))
    print(f"RESULT\tguard_{name}\t{value:.0f}\trecords/s\t{base:.0f}\t{ratio:.3f}\t>= {floor} x\t{'yes' if ok else 'no'}")
if slowdown != 1:
    print(f"(SLOWDOWN={slowdown:g}: the meabridge figures above are the measured ones divided by {slowdown:g})")
sys.exit(1 if failed else 0)
PY
return "$judge_rc"
}

# Up to ATTEMPTS (3) measurements: other work on the shared cores only ever lowers a ratio,
# so a figure below its floor is measured again; a real regression stays below every time
# (SLOWDOWN=2 fails all three), a burst of load does not fail CI.
rc=1
for attempt in $(seq 1 "${ATTEMPTS:-3}"); do
  [ "$attempt" = 1 ] || printf '== below a floor: measuring again (attempt %s, load %s)\n' "$attempt" "$(cut -d' ' -f1-3 /proc/loadavg)"
  rc=0
  measure || rc=$?
  [ "$rc" = 0 ] && break
  [ "$rc" = 1 ] || break
done
echo "regression guard: $([ "$rc" = 0 ] && echo passed || echo FAILED) in $(($(date +%s) - start)) s"
exit "$rc"
