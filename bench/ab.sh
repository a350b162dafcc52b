#!/usr/bin/env bash
# bench/ab.sh: before/after of a change to Sluice: several Sluice jars side by side in front of one private MariaDB,
# A/B interleaved (order rotated every round): sysbench QPS and each Sluice's CPU per query, and a Connector/J
# streaming read of a ROWS-row table. CPU per query from /proc is the figure that survives a loaded machine.
#
#   bench/ab.sh base=/tmp/base.jar new=sluice-app/target/sluice.jar
# Environment: TESTS (oltp_point_select oltp_read_only), THREADS (16), TIME (5), ROUNDS (4), PS_MODE (auto),
# ROWS (300000; 0 skips streaming), SLUICE_ARGS_<name> (more arguments for that Sluice, e.g. --set digests.enabled=false;
# the same jar can then run under two names), and those of bench/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TESTS="${TESTS:-oltp_point_select oltp_read_only}"
THREADS="${THREADS:-16}" TIME="${TIME:-5}" ROUNDS="${ROUNDS:-4}" PS_MODE="${PS_MODE:-auto}" ROWS="${ROWS:-300000}"
[ $# -ge 2 ] || bench_die "usage: bench/ab.sh name=jar name=jar [...]"
bench_prerequisites sysbench
bench_build
bench_init
bench_machine
ports=($(bench_ports $((2 + 2 * $#))))
DB=${ports[0]}
bench_mariadb "$DB" --max-connections=2000
SB=(--mysql-host=127.0.0.1 --mysql-user=bench --mysql-password=bench --mysql-db=bench --mysql-ssl=off --tables=4
    --table-size=100000)
sysbench oltp_read_only "${SB[@]}" --mysql-port="$DB" prepare >/dev/null
if [ "$ROWS" -gt 0 ]; then
    bench_sql "USE bench; CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(200) NOT NULL);
        INSERT INTO big SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_$ROWS;"
fi
names=() ; declare -A port pid
i=1
for arg in "$@"; do
    name="${arg%%=*}" jar="${arg#*=}"
    names+=("$name")
    extra="SLUICE_ARGS_$name" # e.g. SLUICE_ARGS_off="--set digests.enabled=false": that Sluice's own arguments
    # shellcheck disable=SC2086
    SLUICE_JAR="$jar" bench_sluice "${ports[$i]}" "$DB" "${ports[$((i + $#))]}" ${!extra:-}
    port[$name]=${ports[$i]} pid[$name]=$SLUICE_PID
    cp "$BENCH_TMP/sluice.log" "$BENCH_TMP/sluice-$name.log"
    i=$((i + 1))
done
RAW="$BENCH_TMP/ab.tsv"
for test in $TESTS; do
    for n in "${names[@]}"; do
        sysbench "$test" "${SB[@]}" --mysql-port="${port[$n]}" --threads="$THREADS" --time=3 --db-ps-mode="$PS_MODE" run >/dev/null
    done
    for round in $(seq "$ROUNDS"); do
        order=("${names[@]:$((round % ${#names[@]}))}" "${names[@]:0:$((round % ${#names[@]}))}")
        for n in "${order[@]}"; do
            c0=$(bench_cpu "${pid[$n]}")
            out=$(sysbench "$test" "${SB[@]}" --mysql-port="${port[$n]}" --threads="$THREADS" --time="$TIME" \
                --db-ps-mode="$PS_MODE" run)
            c1=$(bench_cpu "${pid[$n]}")
            q=$(echo "$out" | awk '/^ *queries:/ { print $2 }')
            qps=$(echo "$out" | awk '/^ *queries:/ { gsub(/\(/, "", $3); print $3 }')
            printf '%s t=%s\t%s\t%s\tQPS\t%s\n' "$test" "$THREADS" "$n" "$round" "$qps" >>"$RAW"
            printf '%s t=%s\t%s\t%s\tCPU us/query\t%s\n' "$test" "$THREADS" "$n" "$round" \
                "$(awk -v a="$c0" -v b="$c1" -v q="$q" 'BEGIN { print (b - a) * 1e6 / q }')" >>"$RAW"
            bench_log "$test $n round $round: $qps QPS"
        done
    done
done
if [ "$ROWS" -gt 0 ]; then
    targets="" cpus=""
    for n in "${names[@]}"; do targets="$targets,$n:${port[$n]}"; cpus="$cpus,$n:${pid[$n]}"; done
    bench_java dev.sluice.bench.StreamBench --targets "${targets#,}" --user bench --password bench \
        --sql "SELECT id, payload FROM bench.big" --rounds "$ROUNDS" --warmups 1 --cpu "${cpus#,}" \
        --clk-tck "$(getconf CLK_TCK)" --raw "$RAW" --raw-case "stream $ROWS rows" >/dev/null
fi
echo
awk -F'\t' '{ v[$1 "|" $4 "|" $2] = v[$1 "|" $4 "|" $2] " " $5; keys[$1 "|" $4] = 1; who[$2] = 1 }
    END { for (k in keys) { split(k, kk, "|"); line = sprintf("%-34s %-18s", kk[1], kk[2]);
        for (n in who) { m = split(v[k "|" n], a, " "); asort(a); med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2;
            line = line sprintf("  %s %12.2f", n, med) } print line } }' "$RAW" | sort
echo "(medians over $ROUNDS rounds; raw: $RAW)"
bench_load
