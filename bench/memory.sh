#!/usr/bin/env bash
# bench/memory.sh: Sluice's memory while a 2 GB result streams through it, to a fast client and to a slow one
# (issue 4; figures in docs/PERFORMANCE.md). Starts a private MariaDB and Sluice (its own JVM, -Xmx256m, JMX on
# loopback), streams SELECT seq, REPEAT('x', 1000) FROM seq_1_to_2100000 (no table: the sequence engine) with
# Connector/J in streaming mode: directly (throughput reference), through Sluice as fast as the client can, and
# through Sluice paced at SLOW_MBPS; prints a table of throughput and Sluice's heap/direct/RSS growth over idle.
#
#   bench/memory.sh                    # ~2.5 minutes on 2 cores
#   ROWS=500000 SLOW_MBPS=50 bench/memory.sh
# Environment: ROWS (2100000), WIDTH (1000 bytes a row), SLOW_MBPS (30), and those of bench/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS="${ROWS:-2100000}"
WIDTH="${WIDTH:-1000}"
SLOW_MBPS="${SLOW_MBPS:-30}"

bench_prerequisites
bench_build
bench_init
bench_machine
ports=($(bench_ports 3))
DB=${ports[0]} SLUICE=${ports[1]} JMX=${ports[2]}
bench_log "MariaDB on $DB"
bench_mariadb "$DB" --max-allowed-packet=64M
bench_log "Sluice on $SLUICE (JMX $JMX)"
bench_sluice "$SLUICE" "$DB" "$JMX"
echo "sluice jvm: -Xms${SLUICE_HEAP:-256m} -Xmx${SLUICE_HEAP:-256m} -XX:+UseG1GC -XX:+AlwaysPreTouch, pid $SLUICE_PID"
bench_java dev.sluice.bench.MemoryBench --sluice-port "$SLUICE" --direct-port "$DB" --jmx-port "$JMX" \
    --pid "$SLUICE_PID" --user bench --password bench --rows "$ROWS" --width "$WIDTH" --slow-mbps "$SLOW_MBPS" \
    --notes "$BENCH_TMP/native-memory.txt"
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    bench_log "native memory summaries: $BENCH_TMP/native-memory.txt"
fi
bench_load
