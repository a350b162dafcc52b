#!/usr/bin/env bash
# bench/readwrite.sh: issue 11's read-write check. sysbench oltp_read_write at 64 threads, direct vs Sluice
# (pool.mode=transaction where the jar knows it), interleaved. Sluice should show no error a direct run does not show:
# sysbench ignores (and counts, "errors (ignored)") only deadlocks (1213), lock wait timeouts (1205) and 1020, which
# the workload causes (the row "server deadlocks" is InnoDB's own count over the run); any other error stops the run
# ("failed runs", its error line printed under the table). The table is bench/scale.sh's.
#
#   bench/readwrite.sh                            # 64 threads, 2 rounds of 20 s per target (~3 minutes)
#   TARGETS="direct sluice haproxy" bench/readwrite.sh
# Environment: those of bench/scale.sh (THREADS 64, TARGETS "direct sluice", TIME, ROUNDS, POOL_MODE, POOL_MAX, ...).
export TESTS=oltp_read_write THREADS="${THREADS:-64}" TARGETS="${TARGETS:-direct sluice}"
exec "$(dirname "${BASH_SOURCE[0]}")/scale.sh"
