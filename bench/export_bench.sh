#!/usr/bin/env bash
# The export figure (issue 6): `meabridge export --format csv` of 100k and 1M contacts, with
# records/s and peak memory, against a baseline in the same run: sqlite3's own CSV dump of the
# same table (the floor for reading those rows out of SQLite) and `cat` of the output file.
#
#   bench/export_bench.sh            stores of 100k and 1M generated contacts (bench/gen_store),
#                                    RUNS runs of each export under /usr/bin/time -v (median)
#
# Environment: SIZES ("100000 1000000"), RUNS (5), BUILD_DIR (build/bench), WORK (a fresh /tmp
# folder; stores already there are reused).
#
# Prints per size: wall seconds, CPU seconds (user+sys), records/s by wall and by CPU time, peak
# RSS; then the 1M/100k peak-RSS ratio (1.0 = memory independent of the record count) and the
# ratio to sqlite3. On a loaded machine the wall figures vary with the load; the CPU figures
# much less. RESULTS=path: the figures also as result lines (bench/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"100000 1000000"}
RUNS=${RUNS:-5}
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
WORK=${WORK:-$(mktemp -d /tmp/meabridge-export-bench.XXXXXX)}
mkdir -p "$WORK"
. "$here/bench/lib.sh"
bin=$BUILD_DIR/src/meabridge
gen=$BUILD_DIR/bench/gen_store
for f in "$bin" "$gen"; do
  [ -x "$f" ] || { echo "export_bench.sh: $f is missing: cmake --build $BUILD_DIR --target meabridge gen_store" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "export_bench.sh: sqlite3 is needed (apt-get install sqlite3)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "export_bench.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

# measure LABEL COMMAND...: RUNS runs; prints "LABEL wall cpu rss_kb" of the median wall run.
measure() {
  local label=$1
  shift
  local rows=()
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null
    local wall cpu rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' "$WORK/time.txt")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$WORK/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
    rows+=("$wall $cpu $rss")
  done
  printf '%s\n' "${rows[@]}" | sort -n | awk -v label="$label" -v n="$RUNS" \
    'NR == int((n + 1) / 2) { print label, $1, $2, $3 }'
}

results=()
for n in $SIZES; do
  store="$WORK/contacts-$n.db"
  if [ ! -f "$store" ]; then
    echo "== generating $n contacts in $store" >&2
    "$gen" "$store" "$n" >&2
  fi
  printf '<meabridge><store location="%s"/></meabridge>\n' "$store" >"$WORK/config-$n.xml"
  echo "== exporting $n contacts to CSV, $RUNS runs each" >&2
  results+=("$n $(measure meabridge "$bin" export --config "$WORK/config-$n.xml" --entity contacts --format csv -o "$WORK/contacts-$n.csv")")
  results+=("$n $(measure sqlite3 sqlite3 -csv -header "$store" "SELECT * FROM e_contacts WHERE _deleted = 0 ORDER BY id")")
  results+=("$n $(measure cat cat "$WORK/contacts-$n.csv")")
  echo "   $(wc -l <"$WORK/contacts-$n.csv") lines, $(du -h "$WORK/contacts-$n.csv" | cut -f1) of CSV" >&2
done

echo
echo "export of N contacts to CSV, median of $RUNS runs ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%-9s %-10s %8s %8s %12s %12s %9s\n' records tool wall_s cpu_s "records/s" "rec/s(cpu)" peak_MB
for r in "${results[@]}"; do
  read -r n tool wall cpu rss <<<"$r"
  awk -v n="$n" -v t="$tool" -v w="$wall" -v c="$cpu" -v m="$rss" 'BEGIN {
    rw = w > 0 ? sprintf("%.0f", n / w) : "-"; rc = c > 0 ? sprintf("%.0f", n / c) : "-"
    printf "%-9d %-10s %8.2f %8.2f %12s %12s %9.1f\n", n, t, w, c, rw, rc, m / 1024 }'
done
echo
printf '%s\n' "${results[@]}" | awk '
  $2 == "meabridge" { rss[$1] = $5; mw[$1] = $3; mc[$1] = $4; sizes[++k] = $1 }
  $2 == "sqlite3" { sw[$1] = $3; sc[$1] = $4 }
  END {
    for (i = 1; i <= k; i++) {
      n = sizes[i]
      printf "%d: meabridge / sqlite3 -csv time: wall %.2fx, cpu %.2fx\n", n, mw[n] / sw[n], mc[n] / sc[n]
    }
    if (k >= 2) printf "peak RSS %d vs %d records: %.2fx\n", sizes[k], sizes[1], rss[sizes[k]] / rss[sizes[1]]
    n = sizes[k]
    x = sw[n] / mw[n]
    printf "RESULT\texport %d to CSV\t%.0f\trec/s\t%.0f\t%.2f\t>= 500000 rec/s, >= 1x sqlite3\t%s\n", n, n / mw[n], n / sw[n], x, (n / mw[n] >= 500000 && x >= 1) ? "yes" : "no"
    if (k >= 2) {
      x = rss[sizes[k]] / rss[sizes[1]]
      printf "RESULT\texport peak memory %d vs %d\t%.1f\tMB\t%.1f\t%.2f\tflat (<= 1.2x)\t%s\n", sizes[k], sizes[1], rss[sizes[k]] / 1024, rss[sizes[1]] / 1024, x, x <= 1.2 ? "yes" : "no"
    }
  }' | results_filter
