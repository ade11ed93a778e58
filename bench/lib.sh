# Shared by the benchmark scripts that source it: `here`, BUILD_DIR and WORK must be set.

# build_release TARGET...: configures BUILD_DIR as a Release build without tests and builds
# the targets (the log in $WORK/build.log, its tail shown when the build fails). With
# SKIP_BUILD=1 it uses what BUILD_DIR holds as it is (BUILD_DIR=build/test after
# scripts/build.sh test: the same -O2, without a second build).
build_release() {
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    printf '\n== using the build in %s as it is (SKIP_BUILD=1)\n' "$BUILD_DIR" >&2
    return
  fi
  printf '\n== build (Release) in %s\n' "$BUILD_DIR" >&2
  cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target "$@" >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log"; exit 1; }
}

# load_contacts N: N generated contacts (../shared/peers/gen_contacts.py) in $WORK/data, loaded
# into $WORK/store.db by publish_loader (REQUIRES: built).
load_contacts() {
  printf '\n== data: %s contacts in %s\n' "$1" "$WORK" >&2
  /usr/bin/python3 "$PEERS/gen_contacts.py" "$1" "$WORK/data" >&2
  rm -f "$WORK/store.db"*
  "$BUILD_DIR/bench/publish_loader" load "$WORK/store.db" "$WORK/data/contacts-odata-v4.json" >&2
}

# The one machine-readable form of every script's results (bench/all.sh collects them into its
# table): with RESULTS=path in the environment, each figure is appended to that file as one
# tab-separated line
#   script  figure  value  unit  baseline  ratio  goal  met
# (script: RESULTS_SCRIPT or the running script's name; baseline: the same-run baseline's value or what it is, "-" when the figure has none; ratio:
# value against the baseline, "-" when none; goal: as the issue states it, "-" when none;
# met: yes, no or "-"). Without RESULTS nothing is written: the human output stays as it is.
#
#   result FIGURE VALUE UNIT BASELINE RATIO GOAL MET
#
# Python or awk blocks whose figures are computed inside them print lines
#   RESULT<TAB>FIGURE<TAB>VALUE<TAB>UNIT<TAB>BASELINE<TAB>RATIO<TAB>GOAL<TAB>MET
# on their standard output, piped through `| results_filter`, which hands those to `result`
# and passes every other line through unchanged.
result() {
  [ -n "${RESULTS:-}" ] || return 0
  local script
  script=${RESULTS_SCRIPT:-$(basename "${0%.sh}")}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$script" "${1:?figure}" "${2:--}" "${3:--}" \
    "${4:--}" "${5:--}" "${6:--}" "${7:--}" >>"$RESULTS"
}
results_filter() {
  local line tag f v u b r g m
  while IFS= read -r line; do
    case $line in
      RESULT$'\t'*)
        IFS=$'\t' read -r tag f v u b r g m <<<"$line"
        result "$f" "$v" "$u" "$b" "$r" "$g" "$m"
        ;;
      *) printf '%s\n' "$line" ;;
    esac
  done
}
