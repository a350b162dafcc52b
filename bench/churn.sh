#!/usr/bin/env bash
# bench/churn.sh: connect + SELECT 1 + disconnect churn (ChurnBench, Connector/J), direct and through one or more
# Sluice jars side by side in front of one private MariaDB, A/B interleaved (order rotated every round). Besides
# connections/s it prints where the CPU goes per connection: each Sluice, mariadbd and the client JVM (user +
# system from /proc, in ms per connection), and how many server connections MariaDB accepted during the run
# (its Connections counter): with a warm pool, Sluice should open none.
#
#   bench/churn.sh new=sluice-app/target/sluice.jar                   # direct vs one jar
#   bench/churn.sh base=/tmp/base.jar new=sluice-app/target/sluice.jar
# Environment: THREADS ("1 4"), ROUNDS (5), CHURN (connections per thread per run, 500), WARMUP (per thread, 100),
# and those of bench/lib.sh (SLUICE_JVM_OPTS, e.g. a flight recording, applies to every jar).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
THREADS="${THREADS:-1 4}" ROUNDS="${ROUNDS:-5}" CHURN="${CHURN:-500}" WARMUP="${WARMUP:-100}"
[ $# -ge 1 ] || bench_die "usage: bench/churn.sh name=jar [name=jar ...]"
bench_prerequisites
bench_init
bench_machine
ports=($(bench_ports $((1 + 2 * $#))))
DB=${ports[0]}
bench_mariadb "$DB" --max-connections=2000
names=(direct) ; declare -A port pid
port[direct]=$DB
i=1
for arg in "$@"; do
    name="${arg%%=*}" jar="${arg#*=}"
    names+=("$name")
    SLUICE_JAR="$jar" bench_sluice "${ports[$i]}" "$DB" "${ports[$((i + $#))]}"
    port[$name]=${ports[$i]} pid[$name]=$SLUICE_PID
    i=$((i + 1))
done
connections() { bench_sql "SHOW GLOBAL STATUS LIKE 'Connections'" | awk '/Connections/ { print $2 }'; }
RAW="$BENCH_TMP/churn.tsv"
raw() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }
for threads in $THREADS; do
    for round in $(seq "$ROUNDS"); do
        order=("${names[@]:$((round % ${#names[@]}))}" "${names[@]:0:$((round % ${#names[@]}))}")
        for n in "${order[@]}"; do
            total=$((threads * CHURN))
            s0=0; [ "$n" = direct ] || s0=$(bench_cpu "${pid[$n]}")
            m0=$(bench_cpu "$MARIADB_PID") k0=$(connections)
            line=$(bench_java dev.sluice.bench.ChurnBench --target "$n" --port "${port[$n]}" --threads "$threads" \
                --connections "$CHURN" --warmup "$WARMUP" --user bench --password bench) || bench_die "churn via $n failed"
            m1=$(bench_cpu "$MARIADB_PID") k1=$(connections)
            s1=0; [ "$n" = direct ] || s1=$(bench_cpu "${pid[$n]}")
            # the warm-up's CPU is in the process counters too: per connection over warm-up + measured
            all=$((threads * (CHURN + WARMUP)))
            c="churn t=$threads"
            raw "$c" "$n" "$round" "connections/s" "$(echo "$line" | awk '{ print $6 }')"
            raw "$c" "$n" "$round" "client CPU ms/conn" "$(echo "$line" | awk -v t="$total" '{ print $7 * 1000 / t }')"
            raw "$c" "$n" "$round" "mariadbd CPU ms/conn" "$(awk -v a="$m0" -v b="$m1" -v t="$all" 'BEGIN { print (b - a) * 1000 / t }')"
            [ "$n" = direct ] || raw "$c" "$n" "$round" "sluice CPU ms/conn" \
                "$(awk -v a="$s0" -v b="$s1" -v t="$all" 'BEGIN { print (b - a) * 1000 / t }')"
            raw "$c" "$n" "$round" "server logins/conn" "$(awk -v a="$k0" -v b="$k1" -v t="$all" 'BEGIN { print (b - a - 1) / t }')"
            bench_log "t=$threads $n round $round: $(echo "$line" | awk '{ print $6 }') connections/s ($(bench_load))"
        done
    done
done
echo
awk -F'\t' '{ k = $1 "|" $4; v[k "|" $2] = v[k "|" $2] " " $5; if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
        if (!($2 in who)) { who[$2] = 1; names[++nn] = $2 } }
    END { for (i = 1; i <= nk; i++) { split(keys[i], kk, "|"); line = sprintf("%-11s %-22s", kk[1], kk[2]);
        for (j = 1; j <= nn; j++) { n = names[j]; m = split(v[keys[i] "|" n], a, " ");
            if (m == 0) { line = line sprintf("  %s %9s", n, "-"); continue }
            asort(a); med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2;
            line = line sprintf("  %s %9.3f", n, med) } print line } }' "$RAW"
echo "(medians over $ROUNDS rounds; CPU includes the warm-up's connections; raw: $RAW)"
bench_load
