#!/usr/bin/env bash
# Shared by issue 11's scripts (bench/scale.sh, bench/idle.sh, bench/readwrite.sh; source it after bench/lib.sh): a
# private MariaDB sized for thousands of connections with sysbench's tables, Sluice's options (pool.mode where the
# jar knows it, a pool bound, a server user of its own) and one measured sysbench run written as raw lines.
#
# Environment: TIME (s per run), PS_MODE (auto), TABLES (4), TABLE_SIZE (100000), MAX_CONNECTIONS (3000),
# POOL_MODE (transaction), POOL_MAX (pool.max-server-connections: Sluice's server connections at most, across all
# its pools, which are per user, database and character set; empty: Sluice's default), SLUICE_SET (more --set KEY=VALUE,
# space-separated), SAMPLE_INTERVAL (0.5 s between counts of the server's connections).

TIME="${TIME:-20}" PS_MODE="${PS_MODE:-auto}"
TABLES="${TABLES:-4}" TABLE_SIZE="${TABLE_SIZE:-100000}" MAX_CONNECTIONS="${MAX_CONNECTIONS:-3000}"
POOL_MODE="${POOL_MODE:-transaction}" SLUICE_SET="${SLUICE_SET:-}" SAMPLE_INTERVAL="${SAMPLE_INTERVAL:-0.5}"

# Thousands of clients: sysbench's or the idle clients' sockets, and a proxy's two per client (children inherit it).
scale_raise_open_files() {
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    [ "$(ulimit -n)" -ge "$1" ] || bench_log "warning: ulimit -n is $(ulimit -n); this run needs ~$1"
}

# scale_server PORT: the private MariaDB (max_connections MAX_CONNECTIONS, its open-files limit to match, prepared
# statements enough for sysbench at 1,000 threads: it prepares each statement per connection and table, ~20,000 for
# oltp_read_only, beyond the default max_prepared_stmt_count of 16,382), sysbench's tables, and the account `sluice`
# (password bench) that Sluice logs in to the server as, so that its connections are told apart from direct ones.
# Sets SB_CONN (sysbench's connection options, without the port).
scale_server() {
    bench_log "MariaDB on $1 (max_connections $MAX_CONNECTIONS)"
    bench_mariadb "$1" --innodb-buffer-pool-size=512M --max-connections="$MAX_CONNECTIONS" \
        --open-files-limit=$((MAX_CONNECTIONS * 5)) --max-prepared-stmt-count=1048576
    SB_CONN=(--mysql-host=127.0.0.1 --mysql-user=bench --mysql-password=bench --mysql-db=bench --mysql-ssl=off
        --tables="$TABLES" --table-size="$TABLE_SIZE")
    bench_log "sysbench prepare: $TABLES x $TABLE_SIZE rows"
    sysbench oltp_read_write "${SB_CONN[@]}" --mysql-port="$1" prepare >"$BENCH_TMP/prepare.log" 2>&1 ||
        { cat "$BENCH_TMP/prepare.log" >&2; bench_die "sysbench prepare failed"; }
    bench_sql "CREATE USER 'sluice'@'%' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'sluice'@'%'"
    # the server lowers max_connections silently when it cannot get the open files it needs
    local got
    got=$(mariadb --no-defaults -uroot --socket="$MARIADB_SOCKET" -N -B \
        -e "SELECT CONCAT(@@max_connections, ' ', @@open_files_limit, ' ', @@max_prepared_stmt_count)")
    bench_log "server: max_connections, open_files_limit, max_prepared_stmt_count: $got"
    [ "${got%% *}" -ge "$MAX_CONNECTIONS" ] || bench_log "warning: the server runs with max_connections ${got%% *}"
}

# Sets SLUICE_ARGS (for bench_sluice) and SLUICE_MODE (for the report): pool.mode=POOL_MODE when this jar knows the
# key (else a warning: it runs in session mode, a server connection per client), pool.max-server-connections=POOL_MAX
# when set,
# the server user `sluice`, then SLUICE_SET.
scale_sluice_args() {
    SLUICE_ARGS=()
    if bench_sluice_accepts "pool.mode=$POOL_MODE"; then
        SLUICE_ARGS+=(--set "pool.mode=$POOL_MODE")
        SLUICE_MODE="$POOL_MODE"
    else
        bench_log "warning: this sluice.jar has no pool.mode: Sluice runs as it is (session mode: a connection per client)"
        SLUICE_MODE="session (the jar has no pool.mode)"
    fi
    [ -n "${POOL_MAX:-}" ] && SLUICE_ARGS+=(--set "pool.max-server-connections=$POOL_MAX")
    SLUICE_ARGS+=(--set "users[0].server-user=sluice")
    local kv
    for kv in $SLUICE_SET; do SLUICE_ARGS+=(--set "$kv"); done
}

# scale_results NAME SETTINGS: sets RAW (bench/results/NAME-<date>.tsv, its header: SETTINGS, Sluice's options, the
# machine) and FAILURES (empty); prints the machine and Sluice's options.
scale_results() {
    mkdir -p "$BENCH_ROOT/bench/results"
    RAW="$BENCH_ROOT/bench/results/$1-$(date +%Y%m%d-%H%M%S).tsv"
    FAILURES="$BENCH_TMP/failures.txt"
    : >"$FAILURES"
    {
        echo "# bench/$1.sh $2"
        echo "# sluice: pool.mode $SLUICE_MODE; options: ${SLUICE_ARGS[*]}; heap ${SLUICE_HEAP:-256m}"
        bench_machine | sed 's/^/# /'
    } >"$RAW"
    bench_machine
    echo "sluice: pool.mode $SLUICE_MODE; options: ${SLUICE_ARGS[*]}; heap ${SLUICE_HEAP:-256m}"
}

# the connections of server user $2 at the server, every SAMPLE_INTERVAL s, while file $1 exists (and the script runs)
scale_sample_connections() {
    while [ -e "$1" ] && kill -0 $$ 2>/dev/null; do
        mariadb --no-defaults -uroot --socket="$MARIADB_SOCKET" -N -B \
            -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$2'" 2>/dev/null || true
        sleep "$SAMPLE_INTERVAL"
    done
}

scale_deadlocks() {
    mariadb --no-defaults -uroot --socket="$MARIADB_SOCKET" -N -B -e "SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'" |
        awk '{ print $2 }'
}
scale_raw() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }
scale_per_query() { awk -v a="$1" -v b="$2" -v q="$3" 'BEGIN { if (q > 0) print (b - a) * 1e6 / q; else print 0 }'; }

# scale_measure CASE TARGET ROUND TEST THREADS PORT PROXY_PID SERVER_USER: one sysbench run of TIME s; appends to
# $RAW (case target round metric value): QPS, p95 and p99 ms, errors sysbench ignored (its default list: deadlock
# 1213, lock wait timeout 1205, 1020), reconnects, failed runs (sysbench stopped: an error it does not ignore; the
# first error line goes to $FAILURES), the peak count of SERVER_USER's connections at the server, the CPU per query of
# PROXY_PID (empty for direct) and of mariadbd, and the deadlocks InnoDB counted (Innodb_deadlocks over the run: what
# the workload itself causes, to hold sysbench's ignored errors against). A failed run counts 0 QPS and has no latency
# or CPU figures. (sysbench's --mysql-ignore-errors=all with --verbosity=5 would log ignored errors by code, but its
# log drops repeated messages: 14 lines for 488 ignored errors in a trial, so the count by code is not kept.)
scale_measure() {
    local kase="$1" t="$2" round="$3" test="$4" threads="$5" port="$6" pid="$7" user="$8"
    local out="$BENCH_TMP/sb.out" samples="$BENCH_TMP/connections.txt" flag="$BENCH_TMP/sampling"
    local p0=0 p1=0 k0=0 k1=0 m0 m1 d0 d1 rc=0 sampler queries qps failed=0
    [ -n "$pid" ] && p0=$(bench_cpu "$pid") k0=$(bench_cpu "$pid" kernel)
    m0=$(bench_cpu "$MARIADB_PID") d0=$(scale_deadlocks)
    touch "$flag"
    scale_sample_connections "$flag" "$user" >"$samples" &
    sampler=$!
    sysbench "$test" "${SB_CONN[@]}" --mysql-port="$port" --threads="$threads" --time="$TIME" \
        --db-ps-mode="$PS_MODE" --percentile=95 --histogram=on run >"$out" 2>&1 || rc=$?
    rm -f "$flag"
    wait "$sampler" 2>/dev/null || true
    m1=$(bench_cpu "$MARIADB_PID") d1=$(scale_deadlocks)
    [ -n "$pid" ] && p1=$(bench_cpu "$pid") k1=$(bench_cpu "$pid" kernel)
    queries=$(awk '/^ *queries:/ { print $2 }' "$out")
    if [ "$rc" -ne 0 ] || [ -z "$queries" ] || grep -q FATAL "$out"; then
        failed=1
        printf '%s via %s, round %s: %s\n' "$kase" "$t" "$round" \
            "$(grep -m1 -E 'FATAL|error' "$out" || tail -1 "$out")" >>"$FAILURES"
    fi
    qps=$(awk '/^ *queries:/ { gsub(/\(/, "", $3); print $3 }' "$out")
    scale_raw "$kase" "$t" "$round" "QPS" "${qps:-0}"
    if [ "$failed" = 0 ]; then
        scale_raw "$kase" "$t" "$round" "p95 ms" "$(awk '/95th percentile:/ { print $3 }' "$out")"
        scale_raw "$kase" "$t" "$round" "p99 ms" "$(bench_p99 "$out")"
    fi
    scale_raw "$kase" "$t" "$round" "errors (ignored)" "$(awk '/ignored errors:/ { print $3 }' "$out" | grep . || echo 0)"
    scale_raw "$kase" "$t" "$round" "server deadlocks" $((d1 - d0))
    scale_raw "$kase" "$t" "$round" "reconnects" "$(awk '/reconnects:/ { print $2 }' "$out" | grep . || echo 0)"
    scale_raw "$kase" "$t" "$round" "failed runs" "$failed"
    scale_raw "$kase" "$t" "$round" "server connections (peak)" "$(sort -n "$samples" | tail -1 | grep . || echo 0)"
    if [ "$failed" = 0 ]; then
        [ -n "$pid" ] && scale_raw "$kase" "$t" "$round" "proxy CPU µs/query" "$(scale_per_query "$p0" "$p1" "$queries")"
        [ -n "$pid" ] && scale_raw "$kase" "$t" "$round" "proxy kernel CPU µs/query" \
            "$(scale_per_query "$k0" "$k1" "$queries")"
        scale_raw "$kase" "$t" "$round" "mariadbd CPU µs/query" "$(scale_per_query "$m0" "$m1" "$queries")"
    fi
    bench_log "$kase $t round $round: ${qps:-0} QPS$([ "$failed" = 1 ] && echo ', FAILED') ($(bench_load))"
}

# scale_report [TARGET...]: the table of $RAW (medians, ratios; with targets named: those, and ratios to the first)
# to stdout and next to $RAW as .md, then the failed runs.
scale_report() {
    bench_java dev.sluice.bench.MatrixReport "$RAW" "$@" | tee "${RAW%.tsv}.md"
    echo "(medians; ratios are of medians; a failed run counts 0 QPS and has no latency or CPU figures; proxy CPU: user"
    echo " + system time of the proxy process per query, and of that the system (kernel) time alone: sockets, wake-ups"
    echo " and scheduling, which any TCP proxy pays; server connections: peak count of the target's connections in"
    echo " the server's PROCESSLIST during the run: for Sluice its pool's, leased or idle)"
    if [ -s "$FAILURES" ]; then
        echo
        echo "failed runs (first error line of each):"
        sed 's/^/  /' "$FAILURES" | tee -a "${RAW%.tsv}.md"
    fi
}
