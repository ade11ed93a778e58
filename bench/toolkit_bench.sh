#!/usr/bin/env bash
# The InforMEA toolkit figure (issue 11), measured in one run, each the median of RUNS runs:
#   1. `meabridge harvest` of N decisions (6 languages x 4 multilingual child views: title,
#      longtitle, summary, content; 3 files each; keywords empty) from MariaDB through
#      config/informea-toolkit.xml's toolkit-decisions source (main view + 6 child views merged
#      on the decision id) into a fresh SQLite store: records/s end to end (goal >= 30,000/s);
#   2. the baseline: the same decisions read as ONE pre-flattened query (one row per decision,
#      each language of each text in a column of its own, mapped with <text lang> rules; the
#      three files as one space-separated column of URLs, split into url-only items — so the
#      baseline maps a little less than the child version, never more): the ratio child/flat
#      (goal >= 0.8);
#   3. peak memory (maximum resident set, /usr/bin/time) of the child version at N and at
#      4N decisions (goal: at most 1.2x).
# Times are wall-clock times of the whole process (start-up, connection, the store's commit
# included). The MariaDB server is started here (Debian's mariadb-server: mariadb-install-db and
# mariadbd, 127.0.0.1, a temporary folder, server time zone +01:00), the rows generated in SQL
# (the SEQUENCE engine's seq_1_to_N), never committed.
#
#   bench/toolkit_bench.sh          (RUNS=5 N=100000 PORT=18932)
#   BIN=path/to/meabridge bench/toolkit_bench.sh     (measure that binary, build nothing)
# RESULTS=path: the figures also as result lines (bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. bench/lib.sh
runs=${RUNS:-5}
n=${N:-100000}
port=${PORT:-18932}
for tool in mariadb-install-db mariadb /usr/sbin/mariadbd /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "toolkit_bench.sh: $tool is needed (scripts/setup.sh)" >&2; exit 2; }
done
if [ -n "${BIN:-}" ]; then
  bin=$(realpath "$BIN")
else
  build=${BUILD:-build/bench}
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF -DMEABRIDGE_BENCH=OFF >/dev/null
  cmake --build "$build" -j"${JOBS:-2}" --target meabridge >/dev/null
  bin="$root/$build/src/meabridge"
fi

data=$(mktemp -d /tmp/meabridge-toolkit-bench.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$data"
}
trap cleanup EXIT

user_flag=()
[ "$(id -u)" -eq 0 ] && user_flag=(--user=root)
mariadb-install-db --no-defaults --datadir="$data/db" "${user_flag[@]}" --skip-test-db \
  --auth-root-authentication-method=normal >"$data/install.log" 2>&1
/usr/sbin/mariadbd --no-defaults --datadir="$data/db" "${user_flag[@]}" --bind-address=127.0.0.1 \
  --port="$port" --socket="$data/sock" --pid-file="$data/pid" --log-error="$data/error.log" \
  --skip-log-bin --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=0 \
  --default-time-zone=+01:00 --character-set-server=utf8mb4 &
server_pid=$!
for _ in $(seq 1 300); do
  mariadb --no-defaults -S "$data/sock" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
  sleep 0.1
done
sql() { mariadb --no-defaults -S "$data/sock" -uroot "$@"; }
sql -e "CREATE DATABASE informea; CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench';
        GRANT SELECT ON informea.* TO 'bench'@'127.0.0.1'"

# The views' shapes (tests/harvest/toolkit_sql_test.cc has the same), filled for N decisions.
load() {
  local count=$1
  sql informea <<SQL
DROP TABLE IF EXISTS informea_decisions, informea_decisions_title, informea_decisions_longtitle,
  informea_decisions_summary, informea_decisions_content, informea_decisions_keywords,
  informea_decisions_documents, flat_decisions, langs;
CREATE TABLE langs (n int, lang varchar(12));
INSERT INTO langs VALUES (1,'ar'),(2,'en'),(3,'es'),(4,'fr'),(5,'ru'),(6,'zh');
CREATE TABLE informea_decisions (id varchar(128) PRIMARY KEY, link varchar(2048), type varchar(255),
  status varchar(255), number varchar(255), treaty varchar(255), treatyUUID varchar(128),
  published varchar(20), meetingId varchar(128), meetingTitle varchar(255),
  meetingUrl varchar(2048), updated datetime, displayOrder int, nid int);
INSERT INTO informea_decisions SELECT CONCAT('d', LPAD(seq, 8, '0')),
  CONCAT('https://www.cms.int/decision/', seq), 'resolution', 'active', CONCAT('11.', seq), 'cms',
  'u-cms', '2014-11-09', CONCAT('m', seq DIV 100), 'COP11', 'https://www.cms.int/cop11',
  '2024-05-01 10:00:00', seq, seq FROM seq_1_to_${count};
CREATE TABLE informea_decisions_title (id varchar(255) PRIMARY KEY, decision_id varchar(128),
  language varchar(12), title varchar(255), INDEX (decision_id, id));
CREATE TABLE informea_decisions_longtitle (id varchar(255) PRIMARY KEY, decision_id varchar(128),
  language varchar(12), long_title longtext, INDEX (decision_id, id));
CREATE TABLE informea_decisions_summary (id varchar(255) PRIMARY KEY, decision_id varchar(128),
  language varchar(12), summary longtext, INDEX (decision_id, id));
CREATE TABLE informea_decisions_content (id varchar(255) PRIMARY KEY, decision_id varchar(128),
  language varchar(12), content longtext, INDEX (decision_id, id));
CREATE TABLE informea_decisions_keywords (id varchar(255), decision_id varchar(128),
  namespace varchar(255), term varchar(255), INDEX (decision_id, id));
CREATE TABLE informea_decisions_documents (id varchar(255), decision_id varchar(128),
  diskPath varchar(255), url varchar(2048), mimeType varchar(255), language varchar(12),
  filename varchar(255), PRIMARY KEY (id), INDEX (decision_id, id));
INSERT INTO informea_decisions_title SELECT CONCAT(d.id, '-', l.lang), d.id, l.lang,
  CONCAT('Title of decision ', d.nid, ' (', l.lang, ')') FROM informea_decisions d, langs l;
INSERT INTO informea_decisions_longtitle SELECT CONCAT(d.id, '-', l.lang), d.id, l.lang,
  CONCAT('Resolution ', d.number, ' on the conservation of migratory species (', l.lang, ')')
  FROM informea_decisions d, langs l;
INSERT INTO informea_decisions_summary SELECT CONCAT(d.id, '-', l.lang), d.id, l.lang,
  CONCAT('Summary of decision ', d.nid, ': the parties agree to act together (', l.lang, ')')
  FROM informea_decisions d, langs l;
INSERT INTO informea_decisions_content SELECT CONCAT(d.id, '-', l.lang), d.id, l.lang,
  CONCAT('The Conference of the Parties, recalling decision ', d.nid,
         ', decides to keep the flyways under review (', l.lang, ')')
  FROM informea_decisions d, langs l;
INSERT INTO informea_decisions_documents SELECT CONCAT(d.id, '-', f.seq), d.id,
  CONCAT('public://', d.nid, '-', f.seq, '.pdf'),
  CONCAT('https://www.cms.int/sites/default/files/', d.nid, '-', f.seq, '.pdf'),
  'application/pdf', ELT(f.seq, 'en', 'fr', 'es'), CONCAT(d.nid, '-', f.seq, '.pdf')
  FROM informea_decisions d, seq_1_to_3 f;
CREATE TABLE flat_decisions AS SELECT d.*,
$(for f in title:title longtitle:long_title summary:summary content:content; do
    view=${f%%:*}; col=${f##*:}
    for l in ar en es fr ru zh; do
      printf "  (SELECT t.%s FROM informea_decisions_%s t WHERE t.id = CONCAT(d.id, '-%s')) AS %s_%s,\n" "$col" "$view" "$l" "$view" "$l"
    done
  done)
  (SELECT GROUP_CONCAT(f.url ORDER BY f.id SEPARATOR ' ') FROM informea_decisions_documents f
   WHERE f.decision_id = d.id) AS files
  FROM informea_decisions d;
SQL
}

# The shipped decisions source, pointed at the bench's server; and the flat baseline.
sed -e "s|connection=\"host=127.0.0.1;port=3306;db=informea;user=informea;password={secret}\"|connection=\"host=127.0.0.1;port=$port;db=informea;user=bench;password=bench\"|" \
    -e 's|secret-env="MEABRIDGE_TOOLKIT_PASSWORD"||' \
    -e "s|<store location=\"sqlite:meabridge.db\"/>|<store location=\"sqlite:store.db\"/>|" \
    -e "s|mapping=\"mappings/|mapping=\"$root/mappings/|" \
    config/informea-toolkit.xml >"$data/children.xml"
{
  echo '<mapping entity="Decisions"><decoder format="csv"/><id path="id"/>'
  echo '<field name="updated" path="updated"><step fn="date" pattern="iso"/></field>'
  echo '<field name="treaty" path="treaty"><step fn="lookup" vocabulary="treaties"/></field>'
  echo '<field name="number" path="number"/><field name="link" path="link"/>'
  echo '<field name="type" path="type"><step fn="lookup" vocabulary="decision-type"/></field>'
  echo '<field name="status" path="status"><step fn="lookup" vocabulary="decision-status"/></field>'
  echo '<field name="published" path="published"><step fn="date" pattern="iso"/></field>'
  echo '<field name="meetingId" path="meetingId"/><field name="meetingTitle" path="meetingTitle"/>'
  echo '<field name="meetingUrl" path="meetingUrl"/><field name="displayOrder" path="displayOrder"/>'
  for f in title:title longtitle:longTitle summary:summary content:content; do
    view=${f%%:*}; field=${f##*:}
    echo "<field name=\"$field\">"
    for l in ar en es fr ru zh; do echo "  <text lang=\"$l\" path=\"${view}_$l\"/>"; done
    echo "</field>"
  done
  echo '<field name="files" path="files"><step fn="split" sep=" "/><item name="url" path="."/></field>'
  echo '</mapping>'
} >"$data/flat-mapping.xml"
cat >"$data/flat.xml" <<XML
<meabridge><store location="sqlite:store.db"/>
  <source name="toolkit-decisions" kind="sql" driver="mysql" mapping="flat-mapping.xml"
          connection="host=127.0.0.1;port=$port;db=informea;user=bench;password=bench"
          query="SELECT * FROM flat_decisions ORDER BY id"/>
</meabridge>
XML

# One harvest into a fresh store: "SECONDS PEAK_KB FETCHED".
harvest() {
  local config=$1
  rm -rf "$data"/store.db*
  /usr/bin/time -o "$data/time.out" -f "%e %M" "$bin" harvest --config "$config" toolkit-decisions \
    >"$data/harvest.out" 2>"$data/harvest.err" || {
    echo "harvest with $config failed:" >&2
    tail -n 5 "$data/harvest.out" "$data/harvest.err" >&2
  }
  local fetched
  fetched=$(grep -ho "ok: fetched [0-9]*" "$data/harvest.err" | head -1 | cut -d' ' -f3)
  echo "$(tail -1 "$data/time.out") $fetched"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "loading $n decisions ($((n * 27)) child rows)..." >&2
load "$n"
: >"$data/child.times"
: >"$data/flat.times"
for i in $(seq 1 "$runs"); do
  read -r t m f <<<"$(harvest "$data/children.xml")"
  [ "$f" = "$n" ] || { echo "children: fetched $f of $n" >&2; exit 1; }
  echo "$t" >>"$data/child.times"; echo "$m" >>"$data/child.mem"
  read -r t m f <<<"$(harvest "$data/flat.xml")"
  [ "$f" = "$n" ] || { echo "flat: fetched $f of $n" >&2; exit 1; }
  echo "$t" >>"$data/flat.times"
  echo "run $i: children $(tail -1 "$data/child.times")s, flat ${t}s" >&2
done
child=$(median <"$data/child.times")
flat=$(median <"$data/flat.times")
mem_n=$(median <"$data/child.mem")

big=$((n * 4))
echo "loading $big decisions..." >&2
load "$big"
read -r t4 mem_4n f4 <<<"$(harvest "$data/children.xml")"
[ "$f4" = "$big" ] || { echo "children at 4N: fetched $f4 of $big" >&2; exit 1; }

awk -v n="$n" -v c="$child" -v f="$flat" -v m1="$mem_n" -v m4="$mem_4n" -v big="$big" -v t4="$t4" -v runs="$runs" 'BEGIN {
  printf "decisions via child views:  %d in %.2fs = %.0f records/s (median of %d; goal >= 30000)\n", n, c, n / c, runs
  printf "same records, flat query:   %d in %.2fs = %.0f records/s (median of %d)\n", n, f, n / f, runs
  printf "ratio child/flat:           %.2f (goal >= 0.8)\n", f / c
  printf "peak memory:                %d KB at %d, %d KB at %d (%.2fx; goal <= 1.2x); %d in %.2fs\n", m1, n, m4, big, m4 / m1, big, t4
  printf "RESULT\ttoolkit decisions via child views\t%.0f\trec/s\t%.0f\t%.2f\t>= 30000 rec/s, >= 0.8x flat\t%s\n", n / c, n / f, f / c, (n / c >= 30000 && f / c >= 0.8) ? "yes" : "no"
  printf "RESULT\ttoolkit peak memory %d vs %d\t%.1f\tMB\t%.1f\t%.2f\t<= 1.2x\t%s\n", big, n, m4 / 1024, m1 / 1024, m4 / m1, m4 / m1 <= 1.2 ? "yes" : "no"
}' | results_filter
