#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang in their own build folder (libraries
# instrumented for coverage, ASan + UBSan) and runs each for a bounded time, seeded from the
# project's fixtures and shipped mappings. Fails on the first target that crashes, leaks or
# times out, printing the end of its log and where the crashing input was saved.
#
#   scripts/fuzz.sh                  every target, FUZZ_SECONDS (default 25) each
#   scripts/fuzz.sh fuzz_csv_decoder one target
#
# Environment: FUZZ_SECONDS, FUZZ_BUILD_DIR (default build/fuzz), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-25}
build=${FUZZ_BUILD_DIR:-build/fuzz}
jobs=${JOBS:-2}
all=(fuzz_mapping_xml fuzz_mapping_json fuzz_json_decoder fuzz_xml_decoder fuzz_csv_decoder
     fuzz_date_pattern fuzz_odata_filter)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is needed (apt-get install clang)" >&2; exit 2; }
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMEABRIDGE_FUZZ=ON -DMEABRIDGE_WERROR=ON -DMEABRIDGE_BENCH=OFF \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1 || {
  tail -40 "$build/fuzz-build.log"; echo "fuzz.sh: build failed" >&2; exit 1; }

# Seeds: copies of the fixtures and mappings (the fuzzer writes new inputs next to them, never
# into the source tree).
seed() {  # seed TARGET FILES...
  local dir="$build/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp -f "$f" "$dir/seed-$(echo "$f" | tr '/' '_')"; done
}
seed fuzz_mapping_xml $(find mappings -name '*.xml')
seed fuzz_mapping_json $(find mappings -name '*.json')
seed fuzz_json_decoder $(find tests/data/mapping -name '*.json' -not -path '*/expected/*')
seed fuzz_xml_decoder $(find tests/data/mapping -name '*.xml')
seed fuzz_csv_decoder $(find tests/data/mapping -name '*.csv')
mkdir -p "$build/corpus/fuzz_date_pattern"
i=0
for line in "iso\n2024-05-17T09:30:00+02:00" "odata\n/Date(1431103154000+0120)/" \
            "untc\n19 Sep 2002 a 4" "d F Y\n5 June 1992" "d M Y\n12 Sept 1992" \
            "dd/mm/yyyy\n05/06/1992" "yyyy-mm-dd'T'HH:i:s.uZ\n2021-06-30T12:00:00.5+02:00" \
            "epoch-ms | epoch-s\n1600000000000"; do
  printf "$line" > "$build/corpus/fuzz_date_pattern/seed-$i"; i=$((i + 1))
done

mkdir -p "$build/corpus/fuzz_odata_filter"
i=0
# The first byte picks the entity set (0 Treaties, 1 Contacts, 2 Memberships, 3 Decisions ...).
for line in "\001country eq 'FR' and treaties/any(t: t eq 'cbd')" \
            "\001roles/any(r: r/treaty in ('cbd', null)) or not primary" \
            "\003updated gt 2020-01-01T00:00:00Z and contains(title, 'climate')" \
            "\003keywords/any(k: startswith(k/term, 'http'))" \
            "\002consent lt datetime'1994-01-01T00:00:00' or status eq null" \
            "\001updated desc,id" "\000Treaties(\$select=title;\$expand=Parent)" \
            "\001GET /odata/v4/Contacts?\$top=1 HTTP/1.1\r\nHost: x\r\n\r\n"; do
  printf "$line" > "$build/corpus/fuzz_odata_filter/seed-$i"; i=$((i + 1))
done

mkdir -p "$build/crashes"
status=0
for t in "${targets[@]}"; do
  log="$build/$t.log"
  printf '%-20s %ss ... ' "$t" "$seconds"
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=tests/fuzz/ubsan.supp \
     "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -artifact_prefix="$build/crashes/$t-" -print_final_stats=1 \
       "$build/corpus/$t" >"$log" 2>&1; then
    echo "ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)"
  else
    echo "FAILED"
    tail -60 "$log"
    echo "fuzz.sh: $t failed; the input is in $build/crashes/ (log: $log)" >&2
    status=1
    break
  fi
done
exit $status
