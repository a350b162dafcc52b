#!/usr/bin/env bash
# bench/jmh.sh: the JMH micro-benchmarks of the codec hot paths (bench/src/main/java/dev/sluice/bench/jmh):
# FramingBenchmark (packet decode / encode of ~200-byte rows), RelayBenchmark (a read of rows through decoder,
# relay classification and client encoder, as a session runs it), LenencBenchmark (length-encoded integers),
# StatementEffectsBenchmark (the pinning classifier on a 200-byte SELECT / INSERT: fast path, no allocation),
# ReadWriteClassifierBenchmark (the read/write split's classifier on the same statements and a hinted SELECT),
# PoolLeaseBenchmark (transaction mode's lease + give-back of an idle connection, one thread and two contending),
# QueryDigestBenchmark (issue 13's query digest: the 64-bit value alone and the normalised text as well) and
# StatementStatsBenchmark (the statement statistics one statement costs, digests on and off) and ValidatorBenchmark
# (issue 14's strict validator per packet: an OK, a 20-column result of 100 rows as text and as binary rows).
#   bench/jmh.sh                       # all, ~2 minutes
#   bench/jmh.sh Framing -prof gc      # JMH options pass through (here: allocation per operation)
# Environment: those of bench/lib.sh (BENCH_NO_BUILD, BENCH_MVN_FLAGS, JAVA).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
bench_machine
"$JAVA" -jar "$BENCH_JAR" "$@"
