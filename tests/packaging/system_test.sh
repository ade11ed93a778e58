#!/usr/bin/env bash
# The system test (docs/installing.md, "Tests"): the .deb installed with apt into a fresh
# Debian 12 root, booted under a real systemd (systemd-nspawn --keep-unit -b
# --private-network), and taken through an administrator's life with it: install (not
# enabled), start (READY, StatusText), /status and the demo harvest inside the sandbox, reload
# good and bad, the watchdog, stop, an export through meabridge-export@NAME and its timer, the
# live security score, the paths the sandbox can write, an upgrade over itself keeping an
# edited conffile, remove, purge (the root's paths compared before install and after purge),
# and a reinstall that is a first install again.
#
# usage: system_test.sh DEB
# The root: debootstrap --variant=minbase of bookworm with systemd and the package's
# dependencies (the container has no network), from the mirror the host's apt uses (or
# $MEABRIDGE_DEBIAN_MIRROR), cached in $MEABRIDGE_TEST_CACHE (default /var/cache/meabridge-test,
# outside the repository) under a name made of what it holds; each run boots a copy and deletes
# it. Exits 77 (ctest: skipped), saying why, only when the bare root cannot boot here.
set -euo pipefail
deb=$(realpath "${1:?usage: system_test.sh DEB}")
cache=${MEABRIDGE_TEST_CACHE:-/var/cache/meabridge-test}
here=$(cd "$(dirname "$0")" && pwd)
t0=$(date +%s)
passed=0
failed=0
ok() {
  echo "ok: $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}
skip() {
  echo "SKIP: the system test cannot run here: $*"
  exit 77
}
elapsed() { echo "$(($(date +%s) - t0)) s"; }

[ "$(id -u)" -eq 0 ] || skip "it needs root (debootstrap, systemd-nspawn)"
for tool in debootstrap systemd-nspawn nsenter curl jq flock; do
  command -v "$tool" >/dev/null || {
    echo "FAIL: $tool is missing: scripts/setup.sh installs it" >&2
    exit 1
  }
done
mkdir -p "$cache"

# ---- the root: cached in two layers, each keyed by what it holds ------------------------------
# The base: debootstrap's minimal bookworm with systemd as init and dbus (systemctl's view of
# the manager). The root: the base plus the package's dependencies (first alternative, no
# versions), installed with apt from the same mirror, since the booted container has no
# network; downloaded .debs stay in $cache/archives for the next change of dependencies.
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/[[:space:]]//g' |
  grep -v '^$' | sort -u | paste -sd' ')
base_packages=systemd,systemd-sysv,dbus
base="$cache/bookworm-base-$(printf 'bookworm minbase %s v1' "$base_packages" | sha256sum | cut -c1-12)"
rootcache="$base-deps-$(printf '%s' "$deps" | sha256sum | cut -c1-12)"
exec 9>"$cache/lock"
flock 9
mirror=${MEABRIDGE_DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
  'Created-By: Packages' 2>/dev/null | awk '$2 == "bookworm" { print $1; exit }')}
if [ ! -d "$base" ]; then
  [ -n "$mirror" ] || {
    echo "FAIL: no Debian 12 mirror: the host's apt has no bookworm source; set MEABRIDGE_DEBIAN_MIRROR" >&2
    exit 1
  }
  echo "building the cached base root $base (debootstrap bookworm from $mirror)"
  rm -rf "$base.tmp"
  if ! debootstrap --variant=minbase --include="$base_packages" bookworm "$base.tmp" "$mirror" \
    >"$cache/debootstrap.log" 2>&1; then
    echo "FAIL: debootstrap failed; the end of $cache/debootstrap.log:" >&2
    tail -20 "$cache/debootstrap.log" >&2
    exit 1
  fi
  chroot "$base.tmp" apt-get clean
  # A machine id of its own at each boot; not the host's name.
  : >"$base.tmp/etc/machine-id"
  echo meabridge-test >"$base.tmp/etc/hostname"
  mv "$base.tmp" "$base"
  echo "base root built ($(elapsed))"
fi
if [ ! -d "$rootcache" ]; then
  echo "building the cached root $rootcache: the base and $deps"
  rm -rf "$rootcache.tmp"
  cp -a --reflink=auto "$base" "$rootcache.tmp"
  mkdir -p "$cache/archives/partial"
  # shellcheck disable=SC2086  # $deps is a list of package names
  if ! systemd-nspawn -q --keep-unit --register=no -D "$rootcache.tmp" \
    --bind="$cache/archives:/var/cache/apt/archives" \
    sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $deps" \
    >"$cache/deps.log" 2>&1; then
    echo "FAIL: installing the dependencies into the root failed; the end of $cache/deps.log:" >&2
    tail -20 "$cache/deps.log" >&2
    exit 1
  fi
  mv "$rootcache.tmp" "$rootcache"
  # Roots of other dependency lists go; bases stay.
  find "$cache" -mindepth 1 -maxdepth 1 -name 'bookworm-base-*-deps-*' ! -path "$rootcache" \
    -exec rm -rf {} +
  echo "root built ($(elapsed))"
else
  echo "reusing the cached root $rootcache"
fi

work=$(mktemp -d "$cache/run.XXXXXX")
root="$work/root"
cp -a --reflink=auto "$rootcache" "$root"
flock -u 9
nspawn_pid=""
leader=""
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    [ -n "$leader" ] && kill -s SIGRTMIN+4 "$leader" 2>/dev/null  # systemd: power off
    timeout 30 tail --pid="$nspawn_pid" -f /dev/null || kill -9 "$nspawn_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- boot -----------------------------------------------------------------------------------
boot() {
  systemd-nspawn --keep-unit --register=no -b --private-network -D "$root" \
    -M "meabridge-test" --console=read-only >>"$work/console.log" 2>&1 &
  nspawn_pid=$!
  leader=""
  local deadline=$(($(date +%s) + 60))
  while [ -z "$leader" ]; do
    kill -0 "$nspawn_pid" 2>/dev/null || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    leader=$(ps -o pid= --ppid "$nspawn_pid" 2>/dev/null | head -1 | tr -d ' ')
    [ -n "$leader" ] && [ "$(cat "/proc/$leader/comm" 2>/dev/null)" = systemd ] || {
      leader=""
      sleep 0.2
    }
  done
  # systemctl talks to the manager once it has its private socket.
  wait_for 60 test -S "/proc/$leader/root/run/systemd/private" || {
    echo "no /run/systemd/private in the container after 60 s" >"$work/running"
    return 1
  }
  in_ct timeout 120 systemctl is-system-running --wait >"$work/running" 2>&1 || true
  grep -qE '^(running|degraded)$' "$work/running"
}
# A command inside the container: its namespaces, its root, a clean environment.
in_ct() {
  nsenter --target "$leader" --mount --uts --ipc --net --pid -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}
# The host's curl in the container's network namespace (the container has no curl).
ct_curl() { nsenter --target "$leader" --net -- curl -sS --max-time 10 "$@"; }
# Waits up to SECONDS for COMMAND to succeed; polls, since systemd's state changes come
# asynchronously (a reload's outcome, a timer's run, a watchdog's restart).
wait_for() {
  local seconds=$1
  shift
  local deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.3
  done
}
show() { in_ct systemctl show -P "$2" "$1"; }
journal() { in_ct journalctl --no-pager -o cat -u "$1"; }
poweroff() {
  in_ct systemctl poweroff >/dev/null 2>&1 || kill -s SIGRTMIN+4 "$leader"
  timeout 60 tail --pid="$nspawn_pid" -f /dev/null
  nspawn_pid=""
}
# Every path of the root but the kernel's, the runtime's, the logs' and apt's caches.
list_paths() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run \
    -o -path ./tmp -o -path ./var/tmp -o -path ./var/log -o -path ./var/cache/apt \
    -o -path ./var/lib/apt/lists -o -path ./root/meabridge.deb \) -prune -o -print | sort)
}

if ! boot; then
  echo "--- console:"
  tail -30 "$work/console.log"
  skip "systemd-nspawn could not boot a Debian 12 root to running/degraded ($(cat "$work/running" 2>/dev/null))"
fi
ok "the bare root booted under systemd-nspawn ($(elapsed))"
# From here on every check reports and the test goes on; the summary line says how it went.
set +e

# ---- install --------------------------------------------------------------------------------
list_paths >"$work/paths-before"
cp "$deb" "$root/root/meabridge.deb"
if in_ct apt-get install -y -q --no-install-recommends /root/meabridge.deb >"$work/apt.log" 2>&1; then
  ok "apt-get install ./$(basename "$deb")"
else
  fail "apt-get install: $(tail -5 "$work/apt.log")"
  exit 1
fi
[ "$(in_ct systemctl is-enabled meabridge.service 2>&1)" = disabled ] &&
  ok "installed, not enabled" || fail "the package enabled meabridge.service"
[ "$(show meabridge.service ActiveState)" = inactive ] &&
  ok "installed, not started" || fail "the package started meabridge.service"
in_ct getent passwd meabridge >/dev/null && ok "the system user meabridge exists" ||
  fail "no user meabridge"
perms=$(in_ct stat -c '%U:%G %a' /etc/meabridge /etc/meabridge/exports /etc/meabridge/meabridge.xml | paste -sd' ')
[ "$perms" = "root:meabridge 750 root:meabridge 750 root:meabridge 640" ] &&
  ok "/etc/meabridge root:meabridge 0750, meabridge.xml 0640" || fail "configuration permissions: $perms"
[ -f "$root/usr/share/man/man1/meabridge.1.gz" ] && [ -f "$root/usr/share/man/man5/meabridge.xml.5.gz" ] &&
  ok "meabridge(1) and meabridge.xml(5) installed" || fail "a manual page is missing"

# ---- the demo configuration, as an admin edits the conffile -------------------------------
cat >"$root/etc/meabridge/meabridge.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- edited by the system test -->
<meabridge>
  <store location="sqlite:/var/lib/meabridge/meabridge.db"/>
  <server bind="127.0.0.1" port="8080"/>
  <source name="demo-contacts" kind="file" path="/usr/share/meabridge/demo/contacts.csv"
          mapping="mappings/focal-points-csv/contacts.json" schedule="every 10m" deletion="snapshot"/>
  <source name="demo-unfccc-status" kind="file" path="/usr/share/meabridge/demo/unfccc-status.csv"
          mapping="mappings/status-csv/memberships.json" schedule="every 10m" deletion="snapshot">
    <param name="treaty" value="unfccc"/>
  </source>
  <source name="demo-decisions" kind="file" path="/usr/share/meabridge/demo/decisions.json"
          mapping="mappings/informea-odata-v4/decisions.json" schedule="every 10m" deletion="snapshot"/>
</meabridge>
EOF
cp "$root/etc/meabridge/meabridge.xml" "$work/edited.xml"
in_ct runuser -u meabridge -- meabridge check-config --config /etc/meabridge/meabridge.xml \
  >"$work/check.log" 2>&1 && ok "check-config of the edited conffile, as the service user" ||
  fail "check-config: $(cat "$work/check.log")"

# ---- start: READY, StatusText, /status, the demo harvest under the sandbox -----------------
if in_ct timeout 60 systemctl start meabridge.service; then
  ok "systemctl start returned (Type=notify: READY=1 reached)"
else
  fail "systemctl start meabridge: $(journal meabridge.service | tail -5)"
fi
status_text=$(show meabridge.service StatusText)
[[ "$status_text" == "serving on http://127.0.0.1:8080/"* ]] && ok "StatusText: $status_text" ||
  fail "StatusText: '$status_text'"
code=$(ct_curl -o "$work/status.html" -w '%{http_code}' http://127.0.0.1:8080/status || true)
[ "$code" = 200 ] && grep -q meabridge "$work/status.html" && ok "GET /status: 200" ||
  fail "GET /status: $code"
all_ok() {
  in_ct runuser -u meabridge -- meabridge status --config /etc/meabridge/meabridge.xml --json |
    jq -e '[.sources[] | .runs[0].status] | length == 3 and all(. == "ok")'
}
if wait_for 60 all_ok; then
  count=$(ct_curl 'http://127.0.0.1:8080/odata/v4/Contacts?$count=true&$top=0' | jq '."@odata.count"')
  ok "the demo harvest: 3 sources ok in the sandbox, $count contacts published"
else
  fail "the demo harvest did not end ok: $(in_ct runuser -u meabridge -- meabridge status --config /etc/meabridge/meabridge.xml 2>&1 | tail -15)"
fi

# ---- the sandbox: the live score, the paths it can write -----------------------------------
score=$(in_ct systemd-analyze security --no-pager meabridge.service 2>&1 |
  sed -nE 's/.*Overall exposure level for meabridge.service: ([0-9.]+).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.1) }'; then
  ok "systemd-analyze security meabridge.service (live): $score (at most 1.1)"
else
  fail "live exposure '$score' is above 1.1"
fi
pid=$(show meabridge.service MainPID)
uid=$(in_ct id -u meabridge)
gid=$(in_ct id -g meabridge)
# What the service's user can write in the service's own mount namespace (the daemon's view:
# ProtectSystem=, PrivateTmp=, PrivateDevices=, ReadOnlyPaths=...). /proc and /sys are the
# kernel's (ProtectKernelTunables= and ProcSubset= guard them) and left out, and so are device
# nodes (/dev/null ...), sockets (the journal's, the notify socket) and symlinks (their targets
# are checked where they are).
in_ct nsenter --target "$pid" --mount --setuid "$uid" --setgid "$gid" -- \
  find / \( -path /proc -o -path /sys \) -prune -o -writable ! -type c ! -type l ! -type s -print 2>/dev/null |
  sort >"$work/writable" || true
unexpected=$(grep -vE '^/(var/lib/meabridge|tmp|var/tmp)(/|$)' "$work/writable" || true)
if [ -z "$unexpected" ] && grep -qx /var/lib/meabridge "$work/writable"; then
  ok "the sandbox writes only /var/lib/meabridge and its private /tmp and /var/tmp ($(wc -l <"$work/writable") paths)"
else
  fail "the sandbox can write more than the docs say: $(echo "$unexpected" | head -20 | paste -sd' ')"
fi
for p in /dev/shm /run/lock /run /etc/meabridge /var/lib; do
  if in_ct nsenter --target "$pid" --mount --setuid "$uid" --setgid "$gid" -- \
    sh -c "touch $p/meabridge-probe" 2>/dev/null; then
    fail "the service can create files in $p"
    in_ct rm -f "$p/meabridge-probe"
  else
    ok "the service cannot write $p"
  fi
done

# ---- reload: good, then bad ------------------------------------------------------------------
reloaded() { journal meabridge.service | grep -q "reload: /etc/meabridge/meabridge.xml in force"; }
in_ct systemctl reload meabridge.service && wait_for 30 reloaded &&
  ok "systemctl reload: the configuration re-read (journal: reload ... in force)" ||
  fail "a good reload was not applied"
sed -i 's|<server |<server colour="blue" |' "$root/etc/meabridge/meabridge.xml"
if in_ct systemctl reload meabridge.service; then
  refused() { show meabridge.service StatusText | grep -q "reload refused"; }
  if wait_for 30 refused; then
    ok "a bad reload: systemctl reload exits 0; StatusText: $(show meabridge.service StatusText)"
  else
    fail "a bad reload did not show in StatusText: $(show meabridge.service StatusText)"
  fi
  journal meabridge.service | grep -q "reload refused: .*meabridge.xml:.*colour" &&
    ok "a bad reload: the journal names the file, line and key: $(journal meabridge.service | grep 'reload refused: .*colour' | head -1)" ||
    fail "no 'reload refused' line naming the error in the journal"
  [ "$(show meabridge.service ActiveState)" = active ] && ok "a bad reload: the daemon runs on" ||
    fail "the daemon stopped after a bad reload"
else
  fail "systemctl reload with a bad configuration exited non-zero"
fi
cp "$work/edited.xml" "$root/etc/meabridge/meabridge.xml"
in_ct systemctl reload meabridge.service
cleared() { ! show meabridge.service StatusText | grep -q "reload refused"; }
wait_for 30 cleared && ok "a good reload after it clears the refusal from StatusText" ||
  fail "StatusText still says refused: $(show meabridge.service StatusText)"

# ---- the watchdog: pings seen, a hung daemon restarted -------------------------------------
mkdir -p "$root/etc/systemd/system/meabridge.service.d"
printf '[Service]\nWatchdogSec=3\nTimeoutAbortSec=2\nRestartSec=1\n' >"$root/etc/systemd/system/meabridge.service.d/watchdog.conf"
in_ct systemctl daemon-reload
in_ct systemctl restart meabridge.service
first=$(show meabridge.service WatchdogTimestampMonotonic)
pinged() { [ "$(show meabridge.service WatchdogTimestampMonotonic)" != "$first" ]; }
wait_for 10 pinged && ok "the daemon sends WATCHDOG=1 (WatchdogTimestamp moves)" ||
  fail "no watchdog ping in 10 s with WatchdogSec=3"
hung=$(show meabridge.service MainPID)
restarts=$(show meabridge.service NRestarts)
in_ct kill -STOP "$hung"
restarted() {
  [ "$(show meabridge.service NRestarts)" -gt "$restarts" ] &&
    [ "$(show meabridge.service ActiveState)" = active ]
}
if wait_for 30 restarted; then
  ok "a hung daemon (SIGSTOP) is killed by the watchdog and restarted: $(journal meabridge.service | grep -m1 -o 'Watchdog timeout.*')"
else
  fail "the watchdog did not restart a hung daemon"
fi
rm -rf "$root/etc/systemd/system/meabridge.service.d"
in_ct systemctl daemon-reload

# ---- stop -----------------------------------------------------------------------------------
in_ct systemctl restart meabridge.service
if in_ct timeout 70 systemctl stop meabridge.service &&
  [ "$(show meabridge.service Result)" = success ] &&
  [ "$(show meabridge.service ExecMainStatus)" = 0 ]; then
  ok "systemctl stop: exit 0, Result=success"
else
  fail "stop: Result=$(show meabridge.service Result) status=$(show meabridge.service ExecMainStatus)"
fi
in_ct systemctl start meabridge.service

# ---- an export and its timer ----------------------------------------------------------------
echo 'EXPORT_ARGS=--entity memberships --treaty unfccc --format csv -o /var/lib/meabridge/exports/parties.csv' \
  >"$root/etc/meabridge/exports/parties.conf"
if in_ct timeout 120 systemctl start meabridge-export@parties.service &&
  [ -s "$root/var/lib/meabridge/exports/parties.csv" ]; then
  rows=$(($(wc -l <"$root/var/lib/meabridge/exports/parties.csv") - 1))
  ok "meabridge-export@parties.service wrote /var/lib/meabridge/exports/parties.csv ($rows rows, $(in_ct stat -c '%U:%G %a' /var/lib/meabridge/exports/parties.csv))"
else
  fail "meabridge-export@parties: $(journal meabridge-export@parties.service | tail -5)"
fi
line=$(journal meabridge-export@parties.service | grep -m1 "records written to /var/lib/meabridge/exports/parties.csv" || true)
[ -n "$line" ] && ok "the export's journal line: $line" || fail "a successful export logged nothing"
in_ct systemctl enable --now meabridge-export@parties.timer >/dev/null 2>&1
[ "$(show meabridge-export@parties.timer ActiveState)" = active ] &&
  [ -L "$root/etc/systemd/system/timers.target.wants/meabridge-export@parties.timer" ] &&
  ok "meabridge-export@parties.timer enabled and waiting (next: $(show meabridge-export@parties.timer NextElapseUSecRealtime))" ||
  fail "the export timer is not active"
# The timer firing: a drop-in moves it to 1 s from now.
mkdir -p "$root/etc/systemd/system/meabridge-export@parties.timer.d"
printf '[Timer]\nOnCalendar=\nRandomizedDelaySec=0\nOnActiveSec=1\n' \
  >"$root/etc/systemd/system/meabridge-export@parties.timer.d/soon.conf"
runs_before=$(journal meabridge-export@parties.service | grep -c "records written to" || true)
in_ct systemctl daemon-reload
in_ct systemctl restart meabridge-export@parties.timer
fired() { [ "$(journal meabridge-export@parties.service | grep -c 'records written to')" -gt "$runs_before" ]; }
wait_for 60 fired && ok "the timer ran the export" || fail "the timer did not run the export"
in_ct systemctl daemon-reload

# ---- upgrade over itself, the edited conffile kept -----------------------------------------
in_ct systemctl enable meabridge.service >/dev/null 2>&1
old_pid=$(show meabridge.service MainPID)
if in_ct apt-get install -y -q --reinstall /root/meabridge.deb >"$work/upgrade.log" 2>&1 ||
  in_ct dpkg -i /root/meabridge.deb >>"$work/upgrade.log" 2>&1; then
  cmp -s "$work/edited.xml" "$root/etc/meabridge/meabridge.xml" &&
    ok "upgrade over itself: the edited conffile kept" || fail "the upgrade replaced the edited conffile"
  [ "$(in_ct systemctl is-enabled meabridge.service)" = enabled ] &&
    ok "upgrade: still enabled" || fail "the upgrade disabled meabridge.service"
  new_pid=$(show meabridge.service MainPID)
  [ "$(show meabridge.service ActiveState)" = active ] && [ "$new_pid" != "$old_pid" ] &&
    ok "upgrade: the running daemon restarted on the new binary (pid $old_pid -> $new_pid)" ||
    fail "upgrade: daemon not restarted (pid $old_pid -> $new_pid, $(show meabridge.service ActiveState))"
else
  fail "upgrade over itself: $(tail -5 "$work/upgrade.log")"
fi

# ---- remove: configuration, state, user and links stay --------------------------------------
if in_ct apt-get remove -y -q meabridge >"$work/remove.log" 2>&1; then
  ok "apt-get remove"
else
  fail "apt-get remove: $(tail -5 "$work/remove.log")"
fi
[ ! -e "$root/usr/bin/meabridge" ] && ok "remove: the binary is gone" || fail "remove left /usr/bin/meabridge"
[ "$(show meabridge.service ActiveState)" != active ] &&
  [ "$(show meabridge-export@parties.timer ActiveState)" != active ] &&
  ok "remove: the daemon and the export timer stopped" || fail "remove left units running"
kept=""
for p in etc/meabridge/meabridge.xml etc/meabridge/exports/parties.conf var/lib/meabridge/meabridge.db \
  var/lib/meabridge/exports/parties.csv etc/systemd/system/multi-user.target.wants/meabridge.service; do
  [ -e "$root/$p" ] || [ -L "$root/$p" ] || kept="$kept missing:/$p"
done
[ -z "$kept" ] && in_ct getent passwd meabridge >/dev/null &&
  ok "remove keeps the configuration, the exports, the store, the enable links and the user" ||
  fail "remove took too much:$kept"

# ---- purge: nothing left --------------------------------------------------------------------
if in_ct apt-get purge -y -q meabridge >"$work/purge.log" 2>&1; then
  ok "apt-get purge"
else
  fail "apt-get purge: $(tail -5 "$work/purge.log")"
fi
list_paths >"$work/paths-after"
left=$(comm -13 "$work/paths-before" "$work/paths-after")
gone=$(comm -23 "$work/paths-before" "$work/paths-after")
echo "paths before install: $(wc -l <"$work/paths-before"), after purge: $(wc -l <"$work/paths-after")"
if [ -z "$left" ] && [ -z "$gone" ]; then
  ok "purge leaves the root's paths as they were before the install (diff of the two lists empty)"
else
  fail "purge left: $(echo "$left" | paste -sd' ') / took: $(echo "$gone" | paste -sd' ')"
fi
in_ct getent passwd meabridge >/dev/null && fail "purge left the user meabridge" ||
  ok "purge removed the user and group meabridge"

# ---- reinstall: a first install, not enabled ------------------------------------------------
in_ct apt-get install -y -q --no-install-recommends /root/meabridge.deb >"$work/reinstall.log" 2>&1 ||
  fail "reinstall: $(tail -5 "$work/reinstall.log")"
[ "$(in_ct systemctl is-enabled meabridge.service 2>&1)" = disabled ] &&
  [ ! -e "$root/etc/systemd/system/timers.target.wants/meabridge-export@parties.timer" ] &&
  [ ! -e "$root/etc/meabridge/exports/parties.conf" ] &&
  ok "reinstall after purge: not enabled, no export timer or definition" ||
  fail "reinstall after purge: $(in_ct systemctl is-enabled meabridge.service 2>&1), $(ls "$root/etc/systemd/system/timers.target.wants/" 2>&1)"
grep -q "edited by the system test" "$root/etc/meabridge/meabridge.xml" &&
  fail "reinstall after purge: the old configuration came back" ||
  ok "reinstall after purge: the shipped configuration"

poweroff
# The lists and logs of the last run, kept outside the repository for whoever looks.
rm -rf "$cache/last-run" && mkdir -p "$cache/last-run" &&
  cp "$work"/paths-before "$work"/paths-after "$work"/writable "$work"/*.log "$cache/last-run/" 2>/dev/null
echo "system test: $passed passed, $failed failed in $(elapsed) (lists and logs: $cache/last-run)"
[ "$failed" -eq 0 ]
