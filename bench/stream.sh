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
# Environment: ROWS (1000000), ROUNDS (7), WARMUPS (2), and those of bench/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS="${ROWS:-1000000}"
ROUNDS="${ROUNDS:-7}"
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
bench_java dev.sluice.bench.StreamBench --targets "direct:$DB,sluice:$SLUICE" --user bench --password bench \
    --sql "SELECT id, payload FROM bench.big" --rounds "$ROUNDS" --warmups "$WARMUPS" \
    --cpu "mariadbd:$MARIADB_PID,sluice:$SLUICE_PID" --clk-tck "$(getconf CLK_TCK)"
bench_load
