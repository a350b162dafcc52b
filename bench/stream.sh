#!/usr/bin/env bash
# bench/stream.sh: streaming throughput through Sluice against a direct connection, in the same run (issue 4; figures
# in docs/PERFORMANCE.md). Starts a private MariaDB with a table of ROWS rows of about 200 bytes (an INT id and a
# 192-character payload) held in the buffer pool, and Sluice (its own JVM); then a Java client reads the whole table
# with Connector/J in streaming mode, A/B interleaved (WARMUPS warm-up reads each, then ROUNDS rounds whose order
# alternates: direct Sluice, Sluice direct, ...), and prints rows/s and MB/s per read, medians and ratios, and the
# CPU time mariadbd, Sluice and the client used per read.
#
#   bench/stream.sh                    # ~1.5 minutes on 2 cores
#   ROUNDS=11 bench/stream.sh
#   COMPRESSION=zlib bench/stream.sh   # issue 14: compression on both sides against off, through Sluice
# Environment: ROWS (1000000), ROUNDS (7), WARMUPS (2), COMPRESSION (unset), and those of bench/lib.sh.
# With COMPRESSION=zlib (or zstd: MariaDB has no zstd, so the server link falls back to zlib), a second Sluice runs
# with compression.servers set to it, and the targets are: Sluice uncompressed (the reference), that second Sluice
# with a client asking for compression (Connector/J useCompression=true: both links compressed), and the server
# directly with compression (what MariaDB and the client alone pay for it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS="${ROWS:-1000000}"
ROUNDS="${ROUNDS:-7}"
COMPRESSION="${COMPRESSION:-}"
WARMUPS="${WARMUPS:-2}"

bench_prerequisites
bench_build
bench_init
bench_machine
ports=($(bench_ports 3))
DB=${ports[0]} SLUICE=${ports[1]} JMX=${ports[2]}
bench_log "MariaDB on $DB"
bench_mariadb "$DB" --innodb-buffer-pool-size=512M
bench_log "filling bench.big with $ROWS rows"
bench_sql "USE bench; CREATE TABLE bench.big (id INT PRIMARY KEY, payload VARCHAR(200) NOT NULL);
    INSERT INTO bench.big SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_$ROWS;"
bench_log "Sluice on $SLUICE"
bench_sluice "$SLUICE" "$DB" "$JMX"
targets="direct:$DB,sluice:$SLUICE"
cpu="mariadbd:$MARIADB_PID,sluice:$SLUICE_PID"
if [ -n "$COMPRESSION" ]; then
    case "$COMPRESSION" in zlib|zstd) ;; *) bench_die "COMPRESSION: $COMPRESSION (expected: zlib or zstd)" ;; esac
    zports=($(bench_ports 2))
    SLUICE_Z=${zports[0]}
    plain_pid=$SLUICE_PID
    bench_log "Sluice with compression.servers=$COMPRESSION on $SLUICE_Z"
    SLUICE_LOG="$BENCH_TMP/sluice-compressed.log" bench_sluice "$SLUICE_Z" "$DB" "${zports[1]}" \
        --set "compression.servers=$COMPRESSION"
    targets="sluice:$SLUICE,sluice-compressed:$SLUICE_Z:useCompression=true,direct-compressed:$DB:useCompression=true"
    cpu="mariadbd:$MARIADB_PID,sluice:$plain_pid,sluice-compressed:$SLUICE_PID"
fi
bench_java dev.sluice.bench.StreamBench --targets "$targets" --user bench --password bench \
    --sql "SELECT id, payload FROM bench.big" --rounds "$ROUNDS" --warmups "$WARMUPS" \
    --cpu "$cpu" --clk-tck "$(getconf CLK_TCK)"
bench_load
