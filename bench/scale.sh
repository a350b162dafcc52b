#!/usr/bin/env bash
# bench/scale.sh: issue 11's scale benchmark. sysbench at many client threads through three targets in front of one
# private MariaDB, in one run, A/B interleaved (the order of the targets rotates every round): direct, Sluice (its own
# JVM; pool.mode=transaction where the jar knows the key, and at most POOL_MAX server connections) and HAProxy in TCP
# mode. Per test, thread count and target: QPS, p95 and p99 latency, errors sysbench ignored (deadlocks, lock wait
# timeouts), reconnects, runs that failed (sysbench stopped on an error it does not ignore: the first such line is
# printed under the table), CPU per query of the proxy (and its kernel time alone) and of mariadbd (user + system
# time from /proc over the run divided by the queries, µs per query), and the server connections in use: the peak
# count, sampled every SAMPLE_INTERVAL s during the run, of the target's connections in the server's PROCESSLIST. Sluice logs in to the
# server as its own user (`sluice`, mapped from the clients' `bench` by users[0].server-user) so that its pool's
# connections, leased or idle, are told apart from sysbench's direct and HAProxy's ones (user `bench`); the script's
# own root connection is neither.
# Prints a Markdown table with ratios (medians over ROUNDS); raw numbers go to bench/results/scale-<date>.tsv.
#
#   bench/scale.sh                                           # 16/64/256/1000 threads, 2 rounds of 20 s (~20 minutes)
#   THREADS="16 64" TIME=5 ROUNDS=1 bench/scale.sh           # shorter
#   TESTS=oltp_read_write THREADS=64 bench/scale.sh          # see bench/readwrite.sh
# Environment:
#   TESTS ("oltp_point_select oltp_read_only"), THREADS ("16 64 256 1000"), TIME (20 s per run), ROUNDS (2),
#   WARMUP (8 s unmeasured per target before each case, so that Sluice's JIT has compiled the case's paths: with
#   2 s, oltp_read_write measured 0.44x direct where 8 s gave 0.61x; 0 skips), PS_MODE (auto; or disable), TARGETS
#   ("direct sluice haproxy"), POOL_MODE (transaction; session is today's behaviour; a jar without pool.mode runs
#   as it is, with a warning), POOL_MAX (pool.max-server-connections, Sluice's connections to the server: 8 per CPU
#   of this machine, 16 on 2 CPUs, where the server does most per query (docs/PERFORMANCE.md, "Sizing the pool");
#   empty: Sluice's default, the server's max_connections less the reserve), and those of bench/scale-lib.sh
#   (SLUICE_SET, TABLES, TABLE_SIZE, MAX_CONNECTIONS, SAMPLE_INTERVAL) and bench/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/scale-lib.sh"

TESTS="${TESTS:-oltp_point_select oltp_read_only}"
THREADS="${THREADS:-16 64 256 1000}"
ROUNDS="${ROUNDS:-2}" WARMUP="${WARMUP:-8}"
TARGETS="${TARGETS:-direct sluice haproxy}"
POOL_MAX="${POOL_MAX-$(($(nproc) * 8))}"
started=$(date +%s)
read -r -a targets <<<"$TARGETS"
has_target() { case " $TARGETS " in *" $1 "*) return 0 ;; esac; return 1; }

if has_target haproxy; then bench_prerequisites sysbench haproxy; else bench_prerequisites sysbench; fi
bench_build
bench_init
max_threads=$(printf '%s\n' $THREADS | sort -n | tail -1)
scale_raise_open_files $((3 * max_threads + 1000))
scale_sluice_args
scale_results scale "TESTS=$TESTS THREADS=$THREADS TIME=$TIME ROUNDS=$ROUNDS PS_MODE=$PS_MODE TARGETS=$TARGETS"

ports=($(bench_ports 4))
DB=${ports[0]} SLUICE=${ports[1]} JMX=${ports[2]} HAPROXY=${ports[3]}
scale_server "$DB"
SLUICE_PID="" HAPROXY_PID=""
if has_target sluice; then
    bench_log "Sluice on $SLUICE"
    bench_sluice "$SLUICE" "$DB" "$JMX" "${SLUICE_ARGS[@]}"
fi
if has_target haproxy; then
    bench_log "HAProxy on $HAPROXY"
    bench_haproxy "$HAPROXY" "$DB"
fi
port_of() { case "$1" in direct) echo "$DB" ;; sluice) echo "$SLUICE" ;; haproxy) echo "$HAPROXY" ;; esac; }
pid_of() { case "$1" in sluice) echo "$SLUICE_PID" ;; haproxy) echo "$HAPROXY_PID" ;; esac; }
server_user_of() { case "$1" in sluice) echo sluice ;; *) echo bench ;; esac; }

for test in $TESTS; do
    for threads in $THREADS; do
        kase="$test ps=$PS_MODE t=$threads"
        if [ "$WARMUP" -gt 0 ]; then
            # unmeasured: connections, prepared statements, JIT (a failure shows again in the measured runs)
            for t in "${targets[@]}"; do
                sysbench "$test" "${SB_CONN[@]}" --mysql-port="$(port_of "$t")" --threads="$threads" --time="$WARMUP" \
                    --db-ps-mode="$PS_MODE" run >/dev/null 2>&1 || true
            done
        fi
        for round in $(seq "$ROUNDS"); do
            for t in $(bench_rotate "$round" "${targets[@]}"); do
                scale_measure "$kase" "$t" "$round" "$test" "$threads" "$(port_of "$t")" "$(pid_of "$t")" \
                    "$(server_user_of "$t")"
            done
        done
    done
done

echo
echo "scale ($(($(date +%s) - started)) s, $ROUNDS rounds of $TIME s; Sluice pool.mode $SLUICE_MODE, ${SLUICE_ARGS[*]}; raw: ${RAW#"$BENCH_ROOT"/}):"
scale_report
bench_load
