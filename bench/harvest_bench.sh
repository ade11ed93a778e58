#!/usr/bin/env bash
# The harvester's figures (issue 4), measured in one run, each the median of RUNS runs:
#   1. end-to-end `meabridge harvest` of 100k contacts (OData V2 verbose JSON, 1,000 per page,
#      linked by __next, served by nginx on 127.0.0.1) into a fresh SQLite store: records/s
#      (goal >= 50,000/s);
#   2. re-harvest of the unchanged source without validators (conditional="false": every page is
#      downloaded again and recognised by its SHA-1) as a share of the first (goal: 5x faster);
#   3. re-harvest with ETag/304 (conditional="true") as a share of the first (goal < 1%);
#   4. for reference, a full reconciliation of the unchanged source (--full: every page decoded
#      and mapped again, every record found unchanged in the store);
#   5. the same 100k records fetched (one curl, keep-alive) and field-mapped by jq into JSON
#      lines: meabridge's ratio against it.
# Times are wall-clock times of the whole process (start-up included); the in-run durations the
# run report records are shown beside them. Data comes from ../shared/peers/gen_contacts.py into
# a temporary folder (never committed); nginx from ../shared/peers/nginx/serve.sh.
#
#   bench/harvest_bench.sh        (BUILD=build-harvest-bench RUNS=5 RECORDS=100000 PORT=18931)
#   BIN=path/to/meabridge bench/harvest_bench.sh     (measure that binary, build nothing)
# RESULTS=path: the figures also as result lines (bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. bench/lib.sh
build=${BUILD:-build-harvest-bench}
runs=${RUNS:-5}
records=${RECORDS:-100000}
port=${PORT:-18931}
peers=/work/shared/peers
[ -d "$peers" ] || peers=../shared/peers
for tool in jq curl nginx python3; do
  command -v "$tool" >/dev/null || { echo "harvest_bench.sh: $tool is needed" >&2; exit 2; }
done

if [ -n "${BIN:-}" ]; then
  bin=$(realpath "$BIN")
else
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF -DMEABRIDGE_BENCH=OFF >/dev/null
  cmake --build "$build" -j"${JOBS:-2}" --target meabridge >/dev/null
  bin="$root/$build/src/meabridge"
fi

data=$(mktemp -d /tmp/meabridge-harvest-bench.XXXXXX)
chmod 755 "$data"  # nginx workers read the pages
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$data"
}
trap cleanup EXIT

/usr/bin/python3 "$peers/gen_contacts.py" "$records" "$data/gen" >/dev/null
base="http://127.0.0.1:$port/contacts"
python3 bench/harvest_pages.py "$data/gen/contacts-odata-v2.json" "$data/site/contacts" "$base" 1000 \
  >"$data/urls.txt"
"$peers/nginx/serve.sh" "$data/site" "$port" 1 >"$data/nginx.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "$base/page-1.json" && break; sleep 0.1; done

for mode in true false; do
  cat >"$data/conditional-$mode.xml" <<XML
<meabridge>
  <store location="sqlite:$data/store.db"/>
  <log level="warning"/>
  <source name="partner" kind="http" url="$base/page-1.json" conditional="$mode"
          mapping="$root/mappings/informea-odata-v2/contacts.xml" deletion="snapshot"/>
</meabridge>
XML
done

# The field mapping of mappings/informea-odata-v2/contacts.xml in jq (bar the vocabulary
# checks): treaties from [{value}], /Date(ms)/ to RFC 3339, phoneNumber or phone, 0/1 to a
# boolean, trimmed text, roles from brsContactRoleName, empty values left out.
cat >"$data/contacts.jq" <<'JQ'
def t: if type == "string" then (sub("^\\s+"; "") | sub("\\s+$"; "")) else . end;
.d.results[] | {
  entity: "Contacts", id: (.id | t),
  updated: (.updated | capture("\\((?<ms>-?[0-9]+)") | (.ms | tonumber / 1000 | todate)),
  treaties: [.treaties[].value | t], country: (.country | t), prefix: (.prefix | t),
  firstName: (.firstName | t), lastName: (.lastName | t), position: (.position | t),
  institution: (.institution | t), department: (.department | t), type: (.type | t),
  roles: (if .brsContactRoleName then [.brsContactRoleName | split(",")[] | t | {role: .}] else null end),
  address: (.address | t), email: (.email | t), phone: ((.phoneNumber // .phone) | t),
  fax: (.fax | t), primary: (if .primary == null then null else (.primary == 1 or .primary == true) end)
} | with_entries(select(.value != null and .value != "" and .value != []))
JQ

python3 - "$bin" "$data" "$runs" "$records" <<'PY' | results_filter
import re, statistics, subprocess, sys, time, os, glob, shutil
bin_, data, runs, records = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cfg = {m: f"{data}/conditional-{m}.xml" for m in ("true", "false")}
urls = open(f"{data}/urls.txt").read().split()

def run(args, expect=None):
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{p.stdout}{p.stderr}")
    m = re.search(r"  ([0-9.]+)s  ", p.stdout)  # the run report's duration
    if expect and expect not in p.stdout:
        sys.exit(f"unexpected summary for {' '.join(args)}: {p.stdout}")
    return wall, float(m.group(1)) if m else float("nan")

results = {k: [] for k in ("first", "unchanged", "etag", "full", "jq")}
for i in range(runs):
    for f in glob.glob(f"{data}/store.db*"):  # the file, its WAL, and the leases folder
        shutil.rmtree(f) if os.path.isdir(f) else os.remove(f)
    results["first"].append(run([bin_, "harvest", "-c", cfg["true"]], f"created {records}"))
    results["unchanged"].append(run([bin_, "harvest", "-c", cfg["false"]], "(not modified)"))
    for _ in range(5):  # cheap and noisy: five samples per round
        results["etag"].append(run([bin_, "harvest", "-c", cfg["true"]], "(not modified)"))
    results["full"].append(run([bin_, "harvest", "-c", cfg["true"], "--full"], f"unchanged {records}"))
    t0 = time.perf_counter()
    with open(f"{data}/jq.jsonl", "w") as out:
        curl = subprocess.Popen(["curl", "-sf"] + urls, stdout=subprocess.PIPE)
        jq = subprocess.run(["jq", "-c", "-f", f"{data}/contacts.jq"], stdin=curl.stdout, stdout=out)
        curl.wait()
    results["jq"].append((time.perf_counter() - t0, float("nan")))
    if jq.returncode != 0 or curl.returncode != 0:
        sys.exit("curl | jq failed")
lines = sum(1 for _ in open(f"{data}/jq.jsonl"))
if lines != records:
    sys.exit(f"jq wrote {lines} records, expected {records}")

med = {k: statistics.median(w for w, _ in v) for k, v in results.items()}
med_run = {k: statistics.median(r for _, r in v) for k, v in results.items() if k != "jq"}
print(f"{records} contacts, 1000 per page, nginx on 127.0.0.1; median of {runs} runs (of {5 * runs} for 3.) "
      "(wall clock of the process; in-run duration from the run report in brackets)")
print(f"1. first harvest into SQLite:        {med['first']:.3f} s [{med_run['first']:.3f} s]"
      f"  -> {records / med['first']:,.0f} records/s (goal >= 50,000)")
print(f"2. re-harvest, unchanged, no ETag:   {med['unchanged']:.3f} s [{med_run['unchanged']:.3f} s]"
      f"  -> {med['first'] / med['unchanged']:.1f}x faster than the first (goal >= 5x)")
print(f"3. re-harvest with ETag/304:         {med['etag']:.3f} s [{med_run['etag']:.3f} s]"
      f"  -> {100 * med['etag'] / med['first']:.2f}% of the first (goal < 1%);"
      f" in-run {100 * med_run['etag'] / med_run['first']:.2f}%")
print(f"4. full reconciliation, unchanged:   {med['full']:.3f} s [{med_run['full']:.3f} s]"
      f"  -> {med['first'] / med['full']:.2f}x faster than the first")
print(f"5. curl + jq into JSON lines:        {med['jq']:.3f} s"
      f"  -> {records / med['jq']:,.0f} records/s; meabridge (fetch, map, validate, store) is "
      f"{med['jq'] / med['first']:.2f}x curl + jq (fetch, map)")
def result(figure, value, unit, baseline, ratio, goal, met):
    print("\t".join(["RESULT", figure, value, unit, baseline, ratio, goal, "-" if met is None else "yes" if met else "no"]))
first = records / med['first']
result("first harvest", f"{first:.0f}", "rec/s", "-", "-", ">= 50000 rec/s", first >= 50000)
x = med['first'] / med['unchanged']
result("unchanged re-harvest, no ETag", f"{med['unchanged']:.3f}", "s", f"{med['first']:.3f}", f"{x:.2f}", ">= 5x faster", x >= 5)
pct = 100 * med['etag'] / med['first']
result("ETag/304 re-harvest", f"{med['etag']:.3f}", "s", f"{med['first']:.3f}", f"{pct / 100:.4f}", "< 1% of first", pct < 1)
jqx = med['jq'] / med['first']
result("harvest vs curl + jq", f"{first:.0f}", "rec/s", f"{records / med['jq']:.0f}", f"{jqx:.2f}", "-", None)
PY
