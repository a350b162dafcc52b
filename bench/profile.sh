#!/usr/bin/env bash
# bench/profile.sh: a JFR recording of Sluice under sysbench, and its top frames (issue 6's profiling step).
# Starts a private MariaDB with sysbench's tables (4 x 100,000 rows) and Sluice with -XX:StartFlightRecording, runs
# sysbench TEST at THREADS threads for TIME seconds through Sluice, then prints the hottest methods (top frames of
# jdk.ExecutionSample), the hottest Sluice/Netty frames anywhere in the stack, and the allocation sites
# (jdk.ObjectAllocationSample, by weight). The recording is kept in bench/results/.
#
#   bench/profile.sh                                  # oltp_point_select, 16 threads, 30 s, ps-mode auto
#   TEST=oltp_read_only PS_MODE=disable bench/profile.sh
# Environment: TEST, THREADS (16), TIME (30), PS_MODE (auto), TOP (25), and those of bench/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST="${TEST:-oltp_point_select}"
THREADS="${THREADS:-16}"
TIME="${TIME:-30}"
PS_MODE="${PS_MODE:-auto}"
TOP="${TOP:-25}"

bench_prerequisites sysbench
bench_build
bench_init
bench_machine
mkdir -p "$BENCH_ROOT/bench/results"
JFR="$BENCH_ROOT/bench/results/profile-$TEST-t$THREADS-$(date +%Y%m%d-%H%M%S).jfr"
ports=($(bench_ports 3))
DB=${ports[0]} SLUICE=${ports[1]} JMX=${ports[2]}
bench_mariadb "$DB" --max-connections=2000
SB=(--mysql-host=127.0.0.1 --mysql-user=bench --mysql-password=bench --mysql-db=bench --mysql-ssl=off --tables=4
    --table-size=100000)
sysbench oltp_read_only "${SB[@]}" --mysql-port="$DB" prepare >/dev/null
SLUICE_JVM_OPTS="${SLUICE_JVM_OPTS:-} -XX:StartFlightRecording=filename=$BENCH_TMP/sluice.jfr,settings=profile" \
    bench_sluice "$SLUICE" "$DB" "$JMX" ${SLUICE_ARGS:-}
# warm-up (JIT), then the recorded run; the recording is dumped at exit
sysbench "$TEST" "${SB[@]}" --mysql-port="$SLUICE" --threads="$THREADS" --time=5 --db-ps-mode="$PS_MODE" run >/dev/null
sysbench "$TEST" "${SB[@]}" --mysql-port="$SLUICE" --threads="$THREADS" --time="$TIME" --db-ps-mode="$PS_MODE" run |
    grep -E 'queries:|95th'
kill "$SLUICE_PID"
for _ in $(seq 100); do kill -0 "$SLUICE_PID" 2>/dev/null || break; sleep 0.1; done
cp "$BENCH_TMP/sluice.jfr" "$JFR"
bench_log "recording: ${JFR#$BENCH_ROOT/}"
JFRBIN="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jfr"
"$JFRBIN" print --events jdk.ExecutionSample "$JFR" >"$BENCH_TMP/cpu.txt"
"$JFRBIN" print --events jdk.ObjectAllocationSample "$JFR" >"$BENCH_TMP/alloc.txt"
echo "== CPU: top frames ($(grep -c 'jdk.ExecutionSample' "$BENCH_TMP/cpu.txt") samples)"
awk '/stackTrace = \[/ { getline; sub(/^ +/, ""); sub(/ +line:.*/, ""); print }' "$BENCH_TMP/cpu.txt" |
    sort | uniq -c | sort -rn | head -"$TOP"
echo "== CPU: frames of dev.sluice anywhere in the stack (inclusive, samples)"
awk '/stackTrace = \[/ { delete seen; inside = 1; next } inside && /^ *\]/ { inside = 0 }
    inside { f = $0; sub(/^ +/, "", f); sub(/ +line:.*/, "", f); if (f ~ /dev\.sluice/ && !(f in seen)) { seen[f] = 1; print f } }' \
    "$BENCH_TMP/cpu.txt" | sort | uniq -c | sort -rn | head -"$TOP"
echo "== allocation: sites by sampled weight (MB)"
awk '/objectClass = / { cls = $3 } /weight = / { w = $3; unit = $4 }
    /stackTrace = \[/ { getline; f = $0; sub(/^ +/, "", f); sub(/ +line:.*/, "", f);
        m = (unit ~ /kB/) ? w / 1024 : (unit ~ /MB/) ? w : (unit ~ /GB/) ? w * 1024 : w / 1048576; site[cls " @ " f] += m }
    END { for (s in site) printf "%10.1f  %s\n", site[s], s }' "$BENCH_TMP/alloc.txt" | sort -rn | head -"$TOP"
bench_load
