#!/usr/bin/env bash
# bench/idle.sh: issue 11's idle clients. One private MariaDB and Sluice (its own JVM, fixed heap, JMX on loopback;
# pool.mode=transaction where the jar knows it, pool.max-server-connections POOL_MAX=32, its own server user):
#   1. memory per idle client session: IdleBench (Connector/J) opens IDLE clients in steps (1,000 then 5,000 in all)
#      and leaves them idle; at each step Sluice's heap after a full GC (JMX), direct memory and RSS over the baseline
#      with no client, divided by the clients (why these three: see IdleBench);
#   2. the busy clients with and without them: sysbench TEST with BUSY threads through Sluice, ROUNDS runs before the
#      idle clients connect, ROUNDS while all of them are connected and idle, ROUNDS after they left; then every idle
#      session must still answer SELECT 1. Errors, p95/p99, QPS and Sluice's server connections of each run.
# Prints both as Markdown tables; raw numbers go to bench/results/idle-<date>.tsv.
#
#   bench/idle.sh                                # 1,000 and 5,000 idle, 16 busy, 3 x 2 runs of 20 s (~5 minutes in transaction mode)
#   IDLE=200,500 TIME=5 ROUNDS=1 bench/idle.sh   # shorter
# Environment: IDLE (1000,5000: the steps, in clients open in all), BUSY (16), TEST (oltp_point_select), ROUNDS (2),
# POOL_MAX (32: pool.max-server-connections, Sluice's connections to the server across its pools; empty: Sluice's
# default), CONNECT_THREADS (8: IdleBench's login threads), and those of bench/scale-lib.sh (POOL_MODE, SLUICE_SET,
# TIME, PS_MODE, TABLES, TABLE_SIZE, ...) and bench/lib.sh (SLUICE_HEAP).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/scale-lib.sh"

IDLE="${IDLE:-1000,5000}" BUSY="${BUSY:-16}" TEST="${TEST:-oltp_point_select}" ROUNDS="${ROUNDS:-2}"
POOL_MAX="${POOL_MAX-32}" CONNECT_THREADS="${CONNECT_THREADS:-8}"
started=$(date +%s)
most=$(tr ',' '\n' <<<"$IDLE" | sort -n | tail -1)
with="with-${most}-idle"

bench_prerequisites sysbench
bench_build
bench_init
scale_raise_open_files $((2 * most + 1000))
scale_sluice_args
scale_results idle "IDLE=$IDLE BUSY=$BUSY TEST=$TEST TIME=$TIME ROUNDS=$ROUNDS PS_MODE=$PS_MODE"

ports=($(bench_ports 3))
DB=${ports[0]} SLUICE=${ports[1]} JMX=${ports[2]}
scale_server "$DB"
bench_log "Sluice on $SLUICE (JMX $JMX)"
bench_sluice "$SLUICE" "$DB" "$JMX" "${SLUICE_ARGS[@]}"
kase="$TEST ps=$PS_MODE t=$BUSY"
busy() { scale_measure "$kase" "$1" "$2" "$TEST" "$BUSY" "$SLUICE" "$SLUICE_PID" sluice; }

sysbench "$TEST" "${SB_CONN[@]}" --mysql-port="$SLUICE" --threads="$BUSY" --time=3 --db-ps-mode="$PS_MODE" run \
    >/dev/null 2>&1 || true   # unmeasured warm-up
for round in $(seq "$ROUNDS"); do busy alone "$round"; done

bench_log "opening $IDLE idle clients"
hold="$BENCH_TMP/hold" out="$BENCH_TMP/idle.out"
touch "$hold"
bench_java -Xmx2g dev.sluice.bench.IdleBench --port "$SLUICE" --user bench --password bench --clients "$IDLE" \
    --jmx-port "$JMX" --pid "$SLUICE_PID" --hold "$hold" --threads "$CONNECT_THREADS" >"$out" 2>&1 &
idle_pid=$!
bench_track "$idle_pid"
until grep -q '^ready' "$out"; do
    kill -0 "$idle_pid" 2>/dev/null || { cat "$out" >&2; bench_die "IdleBench exited before its clients were ready"; }
    sleep 0.5
done
connected=$(grep '^ready' "$out" | awk '{ print $2 }')
bench_log "$connected idle clients connected"
[ "$connected" -eq "$most" ] || echo "warning: only $connected of $most idle clients could connect (see first-error below)"
for round in $(seq "$ROUNDS"); do busy "$with" "$round"; done
rm -f "$hold"
wait "$idle_pid" || bench_log "warning: IdleBench exited with $?"
for round in $(seq "$ROUNDS"); do busy alone $((ROUNDS + round)); done

echo
echo "idle clients ($(($(date +%s) - started)) s; Sluice pool.mode $SLUICE_MODE, ${SLUICE_ARGS[*]}; raw: ${RAW#"$BENCH_ROOT"/}):"
echo
echo "Sluice's memory per idle client session (over the baseline with no client; Connector/J logins, then idle):"
echo
{
    echo "| idle clients | opened | failed | heap after full GC | direct | RSS | heap per client | direct per client | RSS per client | heap per client since the step before | RSS per client since the step before |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    awk '/^idle baseline/ { h = $4; r = $8; n = 0 }
        /^idle step/ { d = ($5 > n) ? $5 - n : 1
            printf "| %d | %d | %d | %.1f MiB | %.1f MiB | %.1f MiB | %.1f KiB | %.1f KiB | %.1f KiB | %.1f KiB | %.1f KiB |\n",
            $3, $5, $7, $9 / 1048576, $11 / 1048576, $13 / 1048576, $15 / 1024, $17 / 1024, $19 / 1024,
            ($9 - h) / d / 1024, ($13 - r) / d / 1024
            h = $9; r = $13; n = $5 }' "$out"
} | tee "${RAW%.tsv}-memory.md"
grep -E '^idle (baseline|step .* first-error)' "$out" || true
grep '^idle check' "$out" | sed 's/^/after the busy runs, every idle session ran SELECT 1: /' | tee -a "${RAW%.tsv}-memory.md"
echo
echo "$BUSY busy clients ($TEST) alone (before and after) and with $most idle ones connected:"
echo
scale_report alone "$with"
bench_load
