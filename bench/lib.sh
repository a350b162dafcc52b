#!/usr/bin/env bash
# Shared by the bench/*.sh scripts (source it): prerequisites, the build, a private MariaDB sandbox, Sluice as its
# own JVM, and clean-up of everything started here on exit. Nothing outside one temporary directory is changed, and
# only processes started by the script are stopped (by pid).
#
# Environment:
#   BENCH_NO_BUILD=1       use the jars already in sluice-app/target and bench/target
#   BENCH_MVN_FLAGS="-o"   extra Maven flags for the build (e.g. offline)
#   BENCH_KEEP=1           keep the temporary directory (logs, data) and print its path
#   JAVA                   the java binary (default: java on PATH)
#   SLUICE_HEAP            Sluice's fixed heap (default 256m)
#   SLUICE_JVM_OPTS        extra JVM options for Sluice (e.g. -XX:StartFlightRecording=...)

set -euo pipefail

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SLUICE_JAR="$BENCH_ROOT/sluice-app/target/sluice.jar"
BENCH_JAR="$BENCH_ROOT/bench/target/sluice-bench.jar"
JAVA="${JAVA:-java}"
BENCH_TMP=""
BENCH_PIDS=()

bench_log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# bench_started PID: the start time of process PID (field 22 of /proc/PID/stat, after the command name), empty when
# it is gone. A pid is recorded with it, so that cleanup never signals another process that got the same pid after
# ours exited (pids wrap at 32,768 here, and a benchmark starts thousands of processes).
bench_started() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    set -- $stat
    echo "${20}"
}

# bench_track PID: cleanup stops this process at exit (if it is still the same process).
bench_track() { BENCH_PIDS+=("$1:$(bench_started "$1")"); }

# Whether the recorded "pid:start" is still that process.
bench_alive() { local pid=${1%%:*} start=${1#*:}; [ -n "$start" ] && [ "$(bench_started "$pid")" = "$start" ]; }

bench_cleanup() {
    local entry
    for entry in "${BENCH_PIDS[@]:-}"; do
        [ -n "$entry" ] && bench_alive "$entry" && kill "${entry%%:*}" 2>/dev/null || true
    done
    for entry in "${BENCH_PIDS[@]:-}"; do
        [ -n "$entry" ] || continue
        for _ in $(seq 50); do bench_alive "$entry" || break; sleep 0.1; done
        bench_alive "$entry" && kill -9 "${entry%%:*}" 2>/dev/null || true
    done
    if [ -n "$BENCH_TMP" ]; then
        if [ "${BENCH_KEEP:-0}" = 1 ]; then bench_log "kept $BENCH_TMP"; else rm -rf "$BENCH_TMP"; fi
    fi
}

# Installs what is missing when root (Debian packages), else says what to install.
bench_prerequisites() {
    sh "$BENCH_ROOT/scripts/ensure-mariadb.sh" || bench_die "MariaDB is needed (see above)"
    local missing=""
    command -v "$JAVA" >/dev/null 2>&1 || missing="$missing openjdk-17-jdk-headless"
    command -v javac >/dev/null 2>&1 || case "$missing" in *openjdk*) ;; *) missing="$missing openjdk-17-jdk-headless" ;; esac
    for extra in "$@"; do
        command -v "$extra" >/dev/null 2>&1 || missing="$missing $extra"
    done
    missing="${missing# }"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        bench_log "installing $missing"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 || \
            bench_die "apt-get install $missing failed"
    else
        bench_die "missing: $missing; install with: sudo apt-get install -y $missing"
    fi
}

# Builds sluice.jar and sluice-bench.jar (skipped with BENCH_NO_BUILD=1).
bench_build() {
    if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
        bench_log "building sluice.jar and sluice-bench.jar"
        (cd "$BENCH_ROOT" && ./mvnw -q -B ${BENCH_MVN_FLAGS:-} -DskipTests -Dsluice.skipEnsure=true \
            -pl sluice-app,bench -am package) >&2 || bench_die "build failed"
    fi
    [ -f "$SLUICE_JAR" ] || bench_die "no $SLUICE_JAR"
    [ -f "$BENCH_JAR" ] || bench_die "no $BENCH_JAR"
}

bench_init() {
    BENCH_TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

# Prints N free ports on 127.0.0.1, one per line.
bench_ports() { "$JAVA" -cp "$BENCH_JAR" dev.sluice.bench.FreePort "$1"; }

bench_java() { "$JAVA" -cp "$BENCH_JAR" "$@"; }

# bench_mariadb PORT [mariadbd options...]: a private server on 127.0.0.1:PORT with user bench/bench (ALL
# PRIVILEGES). Sets MARIADB_PID. Extra options go last (they win).
bench_mariadb() {
    local port="$1"; shift
    local dir="$BENCH_TMP/mariadb" asroot=()
    [ "$(id -u)" -eq 0 ] && asroot=(--user=root)
    # its own tmpdir: in the shared /tmp, an install once failed deleting its '#sql-temptable-*.MAI' (Errcode 2)
    mkdir -p "$dir/tmp"
    mariadb-install-db --no-defaults --datadir="$dir/data" "${asroot[@]}" --auth-root-authentication-method=normal \
        --skip-test-db --tmpdir="$dir/tmp" >"$dir/install.log" 2>&1 ||
        { cat "$dir/install.log" >&2; bench_die "mariadb-install-db failed"; }
    mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/mariadb.sock" --port="$port" --tmpdir="$dir/tmp" \
        --bind-address=127.0.0.1 "${asroot[@]}" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
        --skip-name-resolve --max-connect-errors=1000000 --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
        "$@" >/dev/null 2>&1 &
    MARIADB_PID=$!
    bench_track "$MARIADB_PID"
    local i
    for i in $(seq 300); do
        mariadb --no-defaults -uroot --socket="$dir/mariadb.sock" -e 'select 1' >/dev/null 2>&1 && break
        kill -0 "$MARIADB_PID" 2>/dev/null || { tail -20 "$dir/error.log" >&2; bench_die "mariadbd exited"; }
        sleep 0.1
    done
    [ "$i" -lt 300 ] || bench_die "mariadbd did not start within 30 s"
    bench_sql "CREATE USER 'bench'@'%' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'%'; CREATE DATABASE bench"
    MARIADB_SOCKET="$dir/mariadb.sock"
}

# bench_sql SQL...: as root over the sandbox's socket.
bench_sql() { mariadb --no-defaults -uroot --socket="$BENCH_TMP/mariadb/mariadb.sock" -e "$*"; }

# bench_sluice LISTEN_PORT BACKEND_PORT JMX_PORT [sluice run options...]: Sluice as its own JVM with a fixed heap,
# JMX on 127.0.0.1:JMX_PORT (no auth, loopback only) and native memory tracking. Sets SLUICE_PID; waits for a login.
bench_sluice() {
    local port="$1" backend="$2" jmx="$3"; shift 3
    local heap="${SLUICE_HEAP:-256m}"
    "$JAVA" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary ${SLUICE_JVM_OPTS:-} \
        -Dcom.sun.management.jmxremote.port="$jmx" -Dcom.sun.management.jmxremote.rmi.port="$jmx" \
        -Dcom.sun.management.jmxremote.host=127.0.0.1 -Djava.rmi.server.hostname=127.0.0.1 \
        -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false \
        -jar "$SLUICE_JAR" run --listen "127.0.0.1:$port" --backend "127.0.0.1:$backend" --user bench:bench "$@" \
        >"${SLUICE_LOG:-$BENCH_TMP/sluice.log}" 2>&1 &
    SLUICE_PID=$!
    bench_track "$SLUICE_PID"
    local i
    for i in $(seq 150); do
        mariadb --no-defaults -ubench -pbench -h127.0.0.1 -P"$port" -e 'select 1' >/dev/null 2>&1 && break
        kill -0 "$SLUICE_PID" 2>/dev/null || { tail -20 "${SLUICE_LOG:-$BENCH_TMP/sluice.log}" >&2; bench_die "Sluice exited"; }
        sleep 0.2
    done
    [ "$i" -lt 150 ] || { tail -20 "${SLUICE_LOG:-$BENCH_TMP/sluice.log}" >&2; bench_die "Sluice did not accept a login within 30 s"; }
}

# A description of this machine, for docs/PERFORMANCE.md.
bench_machine() {
    echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
    echo "mariadb: $(mariadbd --version 2>/dev/null | sed 's/^.*Ver //')"
    echo "sluice: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    bench_load
}

# The load average now: these machines are small and often shared, so every run says how quiet it was.
bench_load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"; }

# bench_haproxy LISTEN_PORT BACKEND_PORT: HAProxy in TCP mode (it forwards bytes, understands nothing), one frontend on
# 127.0.0.1:LISTEN_PORT and one backend server, the sandbox; the reference L4 proxy of issue 6. Sets HAPROXY_PID.
bench_haproxy() {
    local port="$1" backend="$2" cfg="$BENCH_TMP/haproxy.cfg"
    cat >"$cfg" <<CFG
global
    maxconn 4000
defaults
    mode tcp
    timeout connect 10s
    timeout client 1h
    timeout server 1h
    maxconn 4000
frontend sql
    bind 127.0.0.1:$port
    default_backend db
backend db
    server sandbox 127.0.0.1:$backend
CFG
    haproxy -db -f "$cfg" >"$BENCH_TMP/haproxy.log" 2>&1 &
    HAPROXY_PID=$!
    bench_track "$HAPROXY_PID"
    local i
    for i in $(seq 100); do
        mariadb --no-defaults -ubench -pbench -h127.0.0.1 -P"$port" -e 'select 1' >/dev/null 2>&1 && break
        kill -0 "$HAPROXY_PID" 2>/dev/null || { cat "$BENCH_TMP/haproxy.log" >&2; bench_die "haproxy exited"; }
        sleep 0.1
    done
    [ "$i" -lt 100 ] || bench_die "haproxy did not forward a login within 10 s"
}

# bench_sluice_accepts KEY=VALUE: whether this sluice.jar knows the configuration key (e.g. pool.mode=transaction,
# which older builds refuse as an unknown key). Validation only: a second, always invalid --set makes Sluice exit 2
# after listing every problem, without starting.
bench_sluice_accepts() {
    local out
    out=$("$JAVA" -jar "$SLUICE_JAR" run --backend 127.0.0.1:1 --user probe:probe --set "$1" \
        --set connect-timeout=not-a-duration 2>&1) && return 1
    ! grep -qF -- "--set $1:" <<<"$out"
}

# bench_rotate R ITEM...: the items rotated left by R (the order of round R when targets are interleaved).
bench_rotate() {
    local r="$1"; shift
    local items=("$@")
    r=$((r % ${#items[@]}))
    echo "${items[@]:$r} ${items[@]:0:$r}"
}

# bench_p99 FILE: p99 (ms) from sysbench's --histogram output in FILE (lines "value |**** count").
bench_p99() { awk '/^ *[0-9.]+ \|/ { v[n] = $1; c[n] = $NF; total += $NF; n++ }
    END { need = total * 0.99; for (i = 0; i < n; i++) { acc += c[i]; if (acc >= need) { print v[i]; exit } } }' "$1"; }

# CPU seconds process PID has used so far, from /proc/PID/stat: user + system, or with "kernel" the system time alone
# (sockets, wake-ups, scheduling).
bench_cpu() {
    awk -v tck="$(getconf CLK_TCK)" -v part="${2:-all}" \
        '{ sub(/^.*\) /, ""); printf "%.2f\n", (part == "kernel" ? $13 : $12 + $13) / tck }' "/proc/$1/stat"
}
