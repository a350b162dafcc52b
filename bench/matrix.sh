#!/usr/bin/env bash
# bench/matrix.sh: issue 6's matrix in one command: Sluice against a direct connection and against HAProxy in TCP
# mode, A/B interleaved (the order of direct, Sluice, HAProxy rotates every round), medians and ratios.
#   - sysbench oltp_point_select and oltp_read_only: QPS, p95 and p99 latency, each proxy's CPU per 1,000 queries;
#   - a full read of a 1,000,000-row table (~200 B/row) by `mariadb --quick` and by Connector/J streaming;
#   - connect + SELECT 1 + disconnect churn at 1 and 4 threads (Sluice's pool warm);
#   - Sluice's start-up: launch of `bin/sluice run` (with its class-data archive) and of `java -jar sluice.jar run`
#     to the first greeting, 5 times each, interleaved.
# Prints the table of ratios; raw numbers go to bench/results/matrix-<date>.tsv (case target round metric value).
#
#   bench/matrix.sh                 # full: 3 rounds, 1/16/64 threads, 20 s per sysbench run (~40 minutes on 2 CPUs)
#   QUICK=1 bench/matrix.sh         # quick: 2 rounds, 1/16 threads, 6 s per run (~9 minutes)
# Environment: QUICK, ROUNDS, THREADS ("1 16 64"), TIME (s per sysbench run), TESTS, PS_MODES, ROWS (1000000),
# CHURN (connections per thread), SKIP (any of: sysbench stream churn startup), and those of bench/lib.sh.
# p95 is sysbench's own (--percentile=95); p99 is computed from the same run's --histogram output (both from one run).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "${QUICK:-0}" = 1 ]; then
    ROUNDS="${ROUNDS:-2}" THREADS="${THREADS:-1 16}" TIME="${TIME:-6}" CHURN="${CHURN:-300}" STREAM_ROUNDS="${STREAM_ROUNDS:-3}"
else
    ROUNDS="${ROUNDS:-3}" THREADS="${THREADS:-1 16 64}" TIME="${TIME:-20}" CHURN="${CHURN:-1000}" STREAM_ROUNDS="${STREAM_ROUNDS:-5}"
fi
TESTS="${TESTS:-oltp_point_select oltp_read_only}"
PS_MODES="${PS_MODES:-auto disable}"
ROWS="${ROWS:-1000000}"
SKIP="${SKIP:-}"
started=$(date +%s)

bench_prerequisites sysbench haproxy
bench_build
bench_init
mkdir -p "$BENCH_ROOT/bench/results"
RAW="$BENCH_ROOT/bench/results/matrix-$(date +%Y%m%d-%H%M%S).tsv"
{
    echo "# bench/matrix.sh QUICK=${QUICK:-0} ROUNDS=$ROUNDS THREADS=$THREADS TIME=$TIME TESTS=$TESTS PS_MODES=$PS_MODES"
    bench_machine | sed 's/^/# /'
} >"$RAW"
bench_machine
ports=($(bench_ports 4))
DB=${ports[0]} SLUICE=${ports[1]} JMX=${ports[2]} HAPROXY=${ports[3]}
bench_log "MariaDB on $DB"
bench_mariadb "$DB" --innodb-buffer-pool-size=1G --max-connections=2000
bench_log "filling bench.big with $ROWS rows, sysbench's 4 x 100,000 rows"
bench_sql "USE bench; CREATE TABLE bench.big (id INT PRIMARY KEY, payload VARCHAR(200) NOT NULL);
    INSERT INTO bench.big SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_$ROWS;"
SB_CONN=(--mysql-host=127.0.0.1 --mysql-user=bench --mysql-password=bench --mysql-db=bench --mysql-ssl=off
    --tables=4 --table-size=100000)
sysbench oltp_read_only "${SB_CONN[@]}" --mysql-port="$DB" prepare >"$BENCH_TMP/prepare.log" 2>&1 ||
    { cat "$BENCH_TMP/prepare.log" >&2; bench_die "sysbench prepare failed"; }
bench_log "Sluice on $SLUICE, HAProxy on $HAPROXY"
bench_sluice "$SLUICE" "$DB" "$JMX"
bench_haproxy "$HAPROXY" "$DB"
port_of() { case "$1" in direct) echo "$DB" ;; sluice) echo "$SLUICE" ;; haproxy) echo "$HAPROXY" ;; esac; }
# round r's order: the three targets rotated by r
order() { bench_rotate "$1" direct sluice haproxy; }
raw() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }
skipped() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }


if ! skipped sysbench; then
    for test in $TESTS; do
        for ps in $PS_MODES; do
            for threads in $THREADS; do
                kase="$test ps=$ps t=$threads"
                # one unmeasured short run per target: connections, prepared statements, JIT
                for t in direct sluice haproxy; do
                    sysbench "$test" "${SB_CONN[@]}" --mysql-port="$(port_of $t)" --threads="$threads" --time=2 \
                        --db-ps-mode="$ps" run >/dev/null 2>&1 || bench_die "sysbench warm-up via $t failed"
                done
                for round in $(seq "$ROUNDS"); do
                    for t in $(order "$round"); do
                        out="$BENCH_TMP/sb.out"
                        s0=$(bench_cpu "$SLUICE_PID") h0=$(bench_cpu "$HAPROXY_PID")
                        sysbench "$test" "${SB_CONN[@]}" --mysql-port="$(port_of $t)" --threads="$threads" \
                            --time="$TIME" --db-ps-mode="$ps" --percentile=95 --histogram=on run >"$out" 2>&1 ||
                            { tail -20 "$out" >&2; bench_die "sysbench via $t failed"; }
                        s1=$(bench_cpu "$SLUICE_PID") h1=$(bench_cpu "$HAPROXY_PID")
                        queries=$(awk '/^ *queries:/ { print $2 }' "$out")
                        qps=$(awk '/^ *queries:/ { gsub(/\(/, "", $3); print $3 }' "$out")
                        p95=$(awk '/95th percentile:/ { print $3 }' "$out")
                        raw "$kase" "$t" "$round" "QPS" "$qps"
                        raw "$kase" "$t" "$round" "p95 ms" "$p95"
                        raw "$kase" "$t" "$round" "p99 ms" "$(bench_p99 "$out")"
                        case $t in
                            sluice) raw "$kase" "$t" "$round" "proxy CPU ms/1000 q" \
                                "$(awk -v a="$s0" -v b="$s1" -v q="$queries" 'BEGIN { print (b - a) * 1e6 / q }')" ;;
                            haproxy) raw "$kase" "$t" "$round" "proxy CPU ms/1000 q" \
                                "$(awk -v a="$h0" -v b="$h1" -v q="$queries" 'BEGIN { print (b - a) * 1e6 / q }')" ;;
                        esac
                        bench_log "$kase $t round $round: $qps QPS, p95 $p95 ms"
                    done
                done
            done
        done
    done
fi

if ! skipped stream; then
    bench_log "streaming $ROWS rows: Connector/J"
    bench_java dev.sluice.bench.StreamBench --targets "direct:$DB,sluice:$SLUICE,haproxy:$HAPROXY" --user bench \
        --password bench --sql "SELECT id, payload FROM bench.big" --rounds "$STREAM_ROUNDS" --warmups 1 \
        --cpu "sluice:$SLUICE_PID,haproxy:$HAPROXY_PID" --clk-tck "$(getconf CLK_TCK)" --raw "$RAW" \
        --raw-case "stream Connector/J" >"$BENCH_TMP/stream.out"
    bench_log "streaming $ROWS rows: mariadb --quick"
    bytes=$(bench_sql "SELECT SUM(LENGTH(id) + LENGTH(payload)) FROM bench.big" | tail -1)
    for round in $(seq 0 "$STREAM_ROUNDS"); do
        for t in $(order "$round"); do
            a=$(date +%s%N)
            mariadb --no-defaults --quick --skip-ssl -ubench -pbench -h127.0.0.1 -P"$(port_of $t)" -N \
                -e "SELECT id, payload FROM bench.big" >/dev/null || bench_die "mariadb --quick via $t failed"
            b=$(date +%s%N)
            [ "$round" -eq 0 ] && continue   # warm-up
            raw "stream mariadb --quick" "$t" "$round" "rows/s" "$(awk -v n="$ROWS" -v ns=$((b - a)) 'BEGIN { print n / (ns / 1e9) }')"
            raw "stream mariadb --quick" "$t" "$round" "MB/s" "$(awk -v n="$bytes" -v ns=$((b - a)) 'BEGIN { print n / 1e6 / (ns / 1e9) }')"
        done
    done
fi

if ! skipped churn; then
    for threads in 1 4; do
        bench_log "churn at $threads threads"
        for round in $(seq "$ROUNDS"); do
            for t in $(order "$round"); do
                line=$(bench_java dev.sluice.bench.ChurnBench --target "$t" --port "$(port_of $t)" --threads "$threads" \
                    --connections "$CHURN" --user bench --password bench) || bench_die "churn via $t failed"
                raw "churn t=$threads" "$t" "$round" "connections/s" "$(echo "$line" | awk '{ print $6 }')"
            done
        done
    done
fi

if ! skipped startup; then
    bench_log "start-up, 5 launches each of bin/sluice and java -jar, interleaved (after one unmeasured each)"
    JAVA="$JAVA" bench_java dev.sluice.bench.StartupBench --java "$JAVA" --launcher "$BENCH_ROOT/bin/sluice" \
        --jar "$SLUICE_JAR" --backend "$DB" --user bench:bench --runs 5 --log "$BENCH_TMP/startup.log" \
        >"$BENCH_TMP/startup.out"
    awk '/^startup [0-9]/ { print }' "$BENCH_TMP/startup.out" | while read -r _ run ms; do
        raw "start-up" "sluice" "$run" "ms to first greeting" "$ms"
    done
    awk '/^startup-jar [0-9]/ { print }' "$BENCH_TMP/startup.out" | while read -r _ run ms; do
        raw "start-up, java -jar" "sluice" "$run" "ms to first greeting" "$ms"
    done
    awk '/^startup-cpu [0-9]/ { print }' "$BENCH_TMP/startup.out" | while read -r _ run ms; do
        raw "start-up" "sluice" "$run" "CPU ms to first greeting" "$ms"
    done
fi

echo
echo "matrix ($(( $(date +%s) - started )) s; raw: ${RAW#$BENCH_ROOT/}):"
bench_java dev.sluice.bench.MatrixReport "$RAW" | tee "${RAW%.tsv}.md"
echo "(ratios are of medians; QPS, rows/s, MB/s, connections/s: higher is better; ms and CPU: lower is better;"
echo " proxy CPU = user + system seconds of the proxy process from /proc per 1,000 queries, in ms = µs per query)"
bench_load
