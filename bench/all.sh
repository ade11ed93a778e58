#!/usr/bin/env bash
# Every benchmark on one build, each with its same-run baseline, and one table of the figures
# beside their goals (issue 17, point 4): what a closing note quotes. Builds once (Release, in
# BUILD_DIR, bench/lib.sh build_release), then runs the Google Benchmark programs (vocab_bench,
# store_bench; their JSON output parsed here) and every bench/*_bench.sh script and
# mapping_vs_jq.sh on that build, each writing its figures as result lines (RESULTS, bench/lib.sh)
# that the table is made of. Prints the commit measured and the load average before and after.
#
#   bench/all.sh                              the full run (the sum of the scripts' own
#                                             defaults: an hour or more; not timed yet)
#   QUICK=1 bench/all.sh                      small sizes, one run each, short wrk runs, no CAP
#                                             and no PostgreSQL in store_bench (2.5 minutes;
#                                             the figures show the machinery works, they are
#                                             not the goals' sizes)
#   SKIP_BUILD=1 BUILD_DIR=build/test bench/all.sh   use that build as it is (no build)
#   ONLY="store mapping_vs_jq" bench/all.sh   run only those (names without .sh/_bench.sh)
#
# Environment: RUNS (each script's own default; QUICK=1: 1), QUICK (0), BUILD_DIR (build/bench),
# SKIP_BUILD (0), ONLY (all), PEERS (/work/shared/peers or ../shared/peers), WORK (a fresh /tmp
# folder: each script's log in WORK/logs/NAME.log, the result lines in WORK/results.tsv, kept).
# A script that fails gets a row saying so (and where its log is); the others still run; the
# exit status is then 1.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
QUICK=${QUICK:-0}
BUILD_DIR=$(realpath -m "${BUILD_DIR:-$here/build/bench}")
WORK=${WORK:-$(mktemp -d /tmp/meabridge-all-bench.XXXXXX)}
PEERS=${PEERS:-/work/shared/peers}
[ -d "$PEERS" ] || PEERS=$here/../shared/peers
export PEERS
mkdir -p "$WORK/logs"
export RESULTS=$WORK/results.tsv
: >"$RESULTS"
. "$here/bench/lib.sh"
ALL="vocab store mapping_vs_jq harvest export ready publish idle memory toolkit scaling"
ONLY=${ONLY:-$ALL}
runs=()
[ -n "${RUNS:-}" ] && runs=(RUNS="$RUNS")
[ "$QUICK" = 1 ] && [ -z "${RUNS:-}" ] && runs=(RUNS=1)

commit=$(git -C "$here" rev-parse --short=12 HEAD)
git -C "$here" diff --quiet HEAD -- src include bench CMakeLists.txt 2>/dev/null || commit="$commit (with uncommitted changes)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "== bench/all.sh: commit $commit, $(nproc) cores, load average $load_before, QUICK=$QUICK, work folder $WORK" >&2

build_release meabridge store_bench mapping_bench vocab_bench publish_loader gen_store
[ "${SKIP_BUILD:-0}" = 1 ] && echo "   (SKIP_BUILD=1: the figures are of whatever commit $BUILD_DIR was built from)" >&2
for f in src/meabridge bench/store_bench bench/mapping_bench bench/vocab_bench bench/publish_loader bench/gen_store; do
  [ -x "$BUILD_DIR/$f" ] || { echo "all.sh: $BUILD_DIR/$f is missing" >&2; exit 2; }
done
MB=$BUILD_DIR/src/meabridge
LOADER=$BUILD_DIR/bench/publish_loader

# The knobs of each script: its build, and in QUICK mode small sizes and short runs.
knobs() {
  local q=$QUICK
  case $1 in
    # (mapping_bench's median needs 2 repetitions at least)
    mapping_vs_jq) echo SKIP_BUILD=1 BUILD="$BUILD_DIR"; [ "$q" = 1 ] && echo N=10000 BIG=100000 RUNS=3 ;;
    harvest) echo BIN="$MB"; [ "$q" = 1 ] && echo RECORDS=10000 ;;
    export) echo BUILD_DIR="$BUILD_DIR"; [ "$q" = 1 ] && echo SIZES=\"10000 100000\" ;;
    ready) echo BUILD_DIR="$BUILD_DIR"; [ "$q" = 1 ] && echo N=100000 ;;
    publish) echo SKIP_BUILD=1 BUILD_DIR="$BUILD_DIR"; [ "$q" = 1 ] && echo N=10000 DURATION=2 CHURN_SECONDS=2 SKIP_CAP=1 ;;
    idle) echo SKIP_BUILD=1 BUILD_DIR="$BUILD_DIR"; [ "$q" = 1 ] && echo N=2000 IDLE=500 DURATION=2 ;;
    memory) echo BIN="$MB"; [ "$q" = 1 ] && echo N=5000 ;;
    toolkit) echo BIN="$MB"; [ "$q" = 1 ] && echo N=5000 ;;
    scaling) echo BIN="$MB" LOADER="$LOADER"; [ "$q" = 1 ] && echo RECORDS=10000 PUB_RUNS=1 DURATION=2 ;;
  esac
  true
}

failed=0
# gbench NAME PROGRAM ARGS...: runs a Google Benchmark program with its JSON in WORK/NAME.json.
gbench() {
  local name=$1
  shift
  echo "-- $name: $*" >&2
  "$@" --benchmark_out="$WORK/$name.json" --benchmark_out_format=json >"$WORK/logs/$name.log" 2>&1 || {
    result "$name failed (exit $?; $WORK/logs/$name.log)"; failed=1; return 0; }
}
for name in $ONLY; do
  t0=$(date +%s)
  case $name in
    vocab)
      gbench vocab "$BUILD_DIR/bench/vocab_bench" --benchmark_repetitions=$([ "$QUICK" = 1 ] && echo 3 || echo 5)
      [ -s "$WORK/vocab.json" ] && /usr/bin/python3 - "$WORK/vocab.json" <<'PY' | RESULTS_SCRIPT=vocab_bench results_filter
import json, statistics, sys
rates = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") == "iteration":
        rates.setdefault(b["run_name"], []).append(b["items_per_second"])
mix = statistics.median(rates["BM_CountryLookupMix"])
base = statistics.median(rates["BM_UnorderedMapFindMix"])
print(f"RESULT\tcountry lookups (mix)\t{mix:.0f}\tlookups/s\t{base:.0f}\t{mix / base:.3f}\t>= 1000000/s\t{'yes' if mix >= 1e6 else 'no'}")
PY
      ;;
    store)
      args=("--benchmark_repetitions=$([ "$QUICK" = 1 ] && echo 1 || echo "${RUNS:-3}")")
      [ "$QUICK" = 1 ] && args+=(--records=20000 --benchmark_filter='RawSqlite|StoreUpsert')
      gbench store "$BUILD_DIR/bench/store_bench" "${args[@]}"
      [ -s "$WORK/store.json" ] && /usr/bin/python3 - "$WORK/store.json" <<'PY' | RESULTS_SCRIPT=store_bench results_filter
import json, statistics, sys
rates = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") == "iteration":
        rates.setdefault(b["run_name"].split("/")[0], []).append(b["items_per_second"])
r = {k: statistics.median(v) for k, v in rates.items()}
new, same, raw = r["BM_StoreUpsertNew"], r["BM_StoreUpsertUnchanged"], r["BM_RawSqliteInsert"]
def row(fig, v, base, ratio, goal, met):
    print("\t".join(["RESULT", fig, f"{v:.0f}", "rec/s", base, ratio, goal, met]))
row("store upsert new, SQLite", new, f"{raw:.0f}", f"{new / raw:.2f}", ">= 100000 rec/s", "yes" if new >= 1e5 else "no")
row("store re-upsert unchanged, SQLite", same, f"{new:.0f}", f"{same / new:.2f}", ">= 3x new", "yes" if same >= 3 * new else "no")
if "BM_PgUpsertNew" in r:
    row("store upsert new, PostgreSQL", r["BM_PgUpsertNew"], f"{new:.0f}", f"{r['BM_PgUpsertNew'] / new:.2f}", "-", "-")
    row("store re-upsert unchanged, PostgreSQL", r["BM_PgUpsertUnchanged"], f"{same:.0f}", f"{r['BM_PgUpsertUnchanged'] / same:.2f}", "-", "-")
PY
      ;;
    mapping_vs_jq | harvest | export | ready | publish | idle | memory | toolkit | scaling)
      script=$name
      [ "$name" = mapping_vs_jq ] || script=${name}_bench
      echo "-- $script.sh ${runs[*]:-} $(knobs "$name" | tr '\n' ' ')" >&2
      rc=0
      eval "env ${runs[*]:-} $(knobs "$name" | tr '\n' ' ') \"$here/bench/$script.sh\"" \
        >"$WORK/logs/$name.log" 2>&1 </dev/null || rc=$?
      [ "$rc" = 0 ] || { RESULTS_SCRIPT=$script result "failed (exit $rc; $WORK/logs/$name.log)"; failed=1; }
      ;;
    *) echo "all.sh: no benchmark named $name (one of: $ALL)" >&2; exit 2 ;;
  esac
  echo "   $name: $(($(date +%s) - t0)) s, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$RESULTS" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
head = ["script", "figure", "value", "baseline", "ratio", "goal", "met"]
table = [[s, f, f"{v} {u}" if u != "-" else v, b, r, g, m] for s, f, v, u, b, r, g, m in rows]
w = [max(len(x) for x in col) for col in zip(head, *table)]
for line in [head, ["-" * n for n in w]] + table:
    print("  ".join(x.ljust(n) for x, n in zip(line, w)).rstrip())
met = sum(r[7] == "yes" for r in rows)
goals = sum(r[7] in ("yes", "no") for r in rows)
print(f"\ngoals met: {met} of {goals}")
PY
echo "commit $commit; build $BUILD_DIR; QUICK=$QUICK; started $started, ended $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "load average before: $load_before; after: $load_after ($(nproc) cores)"
echo "result lines: $RESULTS; logs: $WORK/logs/"
exit "$failed"
