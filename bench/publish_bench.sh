#!/usr/bin/env bash
# The publisher's figures (issue 5): meabridge against SAP CAP (OData V4 on Node) and nginx
# serving the same response bytes as static files, on one machine, in one run.
#
#   bench/publish_bench.sh            100k contacts, wrk -t2 at 16 and 64 connections,
#                                     DURATION seconds per measurement, RUNS runs (median)
#
# Environment: N (100000), DURATION (10), RUNS (3), THREADS (meabridge worker threads, 128),
# ACCESS_LOG (false: as the nginx peer, whose configuration has access_log off; true to measure
# meabridge with its access log written to a file),
# PEERS (../shared/peers), BUILD_DIR (build/bench), WORK (a fresh /tmp folder),
# MB_PORT / CAP_PORT / NGINX_PORT (18180-18182), SKIP_CAP=1 to leave CAP out,
# CHURN_SECONDS (10) for the readers-during-commit measurement.
# RESULTS=path: the figures also as result lines (bench/lib.sh).
#
# Queries (the same for all three):
#   filtered: GET /odata/v4/Contacts?$filter=country eq 'FR'&$top=100&$orderby=updated desc
#   single:   GET /odata/v4/Contacts('<id>')
# nginx serves the bytes meabridge answered for each, saved as files.
#
# Then readers during harvest commits: a writer (bench/publish_loader churn) commits runs that
# rewrite every French contact's `position` to "run N" while wrk reads the filtered query; a
# wrk Lua script counts non-2xx answers and responses whose records carry two different run
# markers (a response mixing two runs).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-100000}
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
THREADS=${THREADS:-128}
ACCESS_LOG=${ACCESS_LOG:-false}
PEERS=${PEERS:-$here/../shared/peers}
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
MB_PORT=${MB_PORT:-18180}
CAP_PORT=${CAP_PORT:-18181}
NGINX_PORT=${NGINX_PORT:-18182}
CHURN_SECONDS=${CHURN_SECONDS:-10}
WORK=${WORK:-$(mktemp -d /tmp/meabridge-publish-bench.XXXXXX)}
mkdir -p "$WORK"
# nginx's workers run as www-data/nobody when started as root: they must reach the static files
# (mktemp -d makes the folder 0700).
chmod 755 "$WORK"

# Every server runs in a process group of its own (setsid), so that stopping it stops what it
# started too (CAP's serve.sh runs npx, which runs node).
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null || { echo "publish_bench.sh: $1 is needed ($2)" >&2; exit 2; }; }
need wrk "apt-get install wrk"
need curl "apt-get install curl"
need nginx "apt-get install nginx-light"

wait_http() {  # wait_http URL SECONDS
  local url=$1 limit=$2 t=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    sleep 1; t=$((t + 1))
    if [ "$t" -ge "$limit" ]; then echo "publish_bench.sh: $url did not answer within ${limit}s" >&2; return 1; fi
  done
}

. "$here/bench/lib.sh"
build_release meabridge publish_loader
MB="$BUILD_DIR/src/meabridge"
LOADER="$BUILD_DIR/bench/publish_loader"
load_contacts "$N"

cat >"$WORK/meabridge.xml" <<XML
<meabridge>
  <store location="sqlite:$WORK/store.db"/>
  <server bind="127.0.0.1" port="$MB_PORT" threads="$THREADS" access-log="$ACCESS_LOG"/>
</meabridge>
XML
say "meabridge serve on :$MB_PORT (access log: $ACCESS_LOG; log in $WORK/meabridge.log)"
setsid "$MB" serve --config "$WORK/meabridge.xml" 2>"$WORK/meabridge.log" &
pids+=($!)
wait_http "http://127.0.0.1:$MB_PORT/odata/v4/" 30

FILTERED="/odata/v4/Contacts?\$filter=country%20eq%20%27FR%27&\$top=100&\$orderby=updated%20desc"
ID=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['value'][0]['id'])" "$WORK/data/contacts-odata-v4.json")
SINGLE="/odata/v4/Contacts('$ID')"

mkdir -p "$WORK/static"
curl -fsS "http://127.0.0.1:$MB_PORT$FILTERED" -o "$WORK/static/contacts-fr.json"
curl -fsS "http://127.0.0.1:$MB_PORT$SINGLE" -o "$WORK/static/contact.json"
say "nginx on :$NGINX_PORT serving meabridge's bytes ($(stat -c %s "$WORK/static/contacts-fr.json") and $(stat -c %s "$WORK/static/contact.json") bytes)"
setsid "$PEERS/nginx/serve.sh" "$WORK/static" "$NGINX_PORT" >"$WORK/nginx.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$NGINX_PORT/contact.json" 30

targets=(meabridge nginx)
if [ "${SKIP_CAP:-0}" != 1 ]; then
  say "SAP CAP on :$CAP_PORT (first use installs its npm packages)"
  setsid "$PEERS/cap/serve.sh" "$WORK/data/contacts.csv" "$CAP_PORT" >"$WORK/cap.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$CAP_PORT/odata/v4/feed/Contacts?\$top=1" 600
  targets=(meabridge cap nginx)
  capbytes=$(curl -fsS "http://127.0.0.1:$CAP_PORT/odata/v4/feed/Contacts?\$filter=country%20eq%20%27FR%27&\$top=100&\$orderby=updated%20desc" | wc -c)
  say "CAP answers the filtered query with $capbytes bytes"
fi

url() {  # url TARGET QUERY
  case "$1/$2" in
    meabridge/filtered) echo "http://127.0.0.1:$MB_PORT$FILTERED" ;;
    meabridge/single) echo "http://127.0.0.1:$MB_PORT$SINGLE" ;;
    cap/filtered) echo "http://127.0.0.1:$CAP_PORT/odata/v4/feed/Contacts?\$filter=country%20eq%20%27FR%27&\$top=100&\$orderby=updated%20desc" ;;
    cap/single) echo "http://127.0.0.1:$CAP_PORT/odata/v4/feed/Contacts('$ID')" ;;
    nginx/filtered) echo "http://127.0.0.1:$NGINX_PORT/contacts-fr.json" ;;
    nginx/single) echo "http://127.0.0.1:$NGINX_PORT/contact.json" ;;
  esac
}

# wrk's p99 in milliseconds.
to_ms() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'
}

results="$WORK/results.tsv"
: >"$results"
say "wrk -t2, ${DURATION}s each, $RUNS runs, connections 16 and 64"
for run in $(seq 1 "$RUNS"); do
  for c in 16 64; do
    for q in filtered single; do
      for t in "${targets[@]}"; do
        out=$(wrk -t2 -c"$c" -d"${DURATION}s" --latency "$(url "$t" "$q")")
        rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p99=$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms)
        bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$q" "$c" "$rps" "$p99" "${bad:-0}" >>"$results"
        printf '  run %s  %-9s %-8s c=%-3s %10s req/s  p99 %7s ms  non-2xx %s\n' "$run" "$t" "$q" "$c" "$rps" "$p99" "${bad:-0}" >&2
      done
    done
  done
done

/usr/bin/python3 - "$results" <<'PY' | results_filter
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
med = {}
for t, q, c, rps, p99, bad in rows:
    med.setdefault((t, q, int(c)), []).append((float(rps), float(p99), int(bad)))
def m(key, i):
    return statistics.median(v[i] for v in med[key]) if key in med else None
print("\nmedian of %d runs (wrk -t2)" % max(len(v) for v in med.values()))
print("%-9s %-8s %4s %12s %10s" % ("target", "query", "conn", "req/s", "p99 ms"))
for q in ("filtered", "single"):
    for c in (16, 64):
        for t in ("meabridge", "cap", "nginx"):
            if (t, q, c) in med:
                print("%-9s %-8s %4d %12.0f %10.2f" % (t, q, c, m((t, q, c), 0), m((t, q, c), 1)))
print("\nratios (goal: >= 10x CAP, >= 0.5x nginx, meabridge p99 <= 10 ms at 64 connections)")
for q in ("filtered", "single"):
    for c in (16, 64):
        mb = m(("meabridge", q, c), 0)
        line = "%-8s c=%-3d" % (q, c)
        if ("cap", q, c) in med:
            line += "  meabridge/CAP %6.1fx" % (mb / m(("cap", q, c), 0))
        line += "  meabridge/nginx %5.2f" % (mb / m(("nginx", q, c), 0))
        line += "  meabridge p99 %.2f ms" % m(("meabridge", q, c), 1)
        print(line)
bad = sum(v[2] for k, vs in med.items() if k[0] == "meabridge" for v in vs)
print("meabridge non-2xx answers in all runs: %d" % bad)
for q in ("filtered", "single"):
    for c in (16, 64):
        mb, p99 = m(("meabridge", q, c), 0), m(("meabridge", q, c), 1)
        x = mb / m(("nginx", q, c), 0)
        print("RESULT\tpublish %s c=%d vs nginx\t%.0f\treq/s\t%.0f\t%.2f\t>= 0.5x nginx\t%s" %
              (q, c, mb, m(("nginx", q, c), 0), x, "yes" if x >= 0.5 else "no"))
        if ("cap", q, c) in med:
            x = mb / m(("cap", q, c), 0)
            print("RESULT\tpublish %s c=%d vs CAP\t%.0f\treq/s\t%.0f\t%.2f\t>= 10x CAP\t%s" %
                  (q, c, mb, m(("cap", q, c), 0), x, "yes" if x >= 10 else "no"))
        if c == 64:
            print("RESULT\tpublish %s c=64 p99\t%.2f\tms\t%.2f\t-\t<= 10 ms\t%s" %
                  (q, p99, m(("nginx", q, c), 1), "yes" if p99 <= 10 else "no"))
PY

say "readers during harvest commits (${CHURN_SECONDS}s of runs rewriting every FR contact)"
cat >"$WORK/mixed.lua" <<'LUA'
-- Counts non-2xx answers and responses whose records carry different run markers.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; mixed = 0; checked = 0; markers = {} end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1; return end
  local seen, n = {}, 0
  for m in string.gmatch(body, '"position":"([^"]*)"') do
    if not seen[m] then seen[m] = true; n = n + 1 end
    markers[m] = true
  end
  if n > 1 then mixed = mixed + 1 end
  checked = checked + 1
end
function done(summary, latency, requests)
  local b, m, c, k = 0, 0, 0, {}
  for _, t in ipairs(threads) do
    b = b + t:get("bad"); m = m + t:get("mixed"); c = c + t:get("checked")
  end
  io.write(string.format("responses checked %d, non-2xx %d, mixing two runs %d\n", c, b, m))
end
LUA
setsid "$LOADER" churn "$WORK/store.db" "$WORK/data/contacts-odata-v4.json" --country FR --seconds "$CHURN_SECONDS" >"$WORK/churn.log" 2>&1 &
churn=$!
pids+=($churn)
wrk -t2 -c16 -d"${CHURN_SECONDS}s" --latency -s "$WORK/mixed.lua" "$(url meabridge filtered)" | tee "$WORK/churn-wrk.txt" | grep -E "Requests/sec|99%|responses checked|Non-2xx|Socket" >&2 || true
wait "$churn" || { cat "$WORK/churn.log"; echo "publish_bench.sh: the writer failed" >&2; exit 1; }
cat "$WORK/churn.log" >&2
markers=$(curl -fsS "http://127.0.0.1:$MB_PORT$FILTERED" | { grep -o '"position":"run [0-9]*"' || true; } | sort -u | wc -l)
echo "after the churn the filtered page carries $markers run marker(s)" >&2
echo "work folder: $WORK" >&2
