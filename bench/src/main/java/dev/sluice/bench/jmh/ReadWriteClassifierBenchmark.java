package dev.sluice.bench.jmh;

import dev.sluice.proxy.session.ReadWriteClass;
import dev.sluice.proxy.session.ReadWriteClassifier;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The read/write split's classifier ({@link ReadWriteClassifier#ofQuery}) on the statements of {@link
 * StatementEffectsBenchmark}: a ~200-byte SELECT (READ by the fast path's byte pass, no allocation), a ~200-byte
 * INSERT (WRITE by its first word), and for scale a SELECT that takes the token path (a hint comment). Scores are
 * nanoseconds per statement. Run with {@code bench/jmh.sh ReadWriteClassifier}; add {@code -prof gc} for allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReadWriteClassifierBenchmark {
    static final String HINTED = "/* sluice:reader */ " + StatementEffectsBenchmark.SELECT;

    private ByteBuf select;
    private ByteBuf insert;
    private ByteBuf hinted;

    @Setup
    public void setUp() {
        select = StatementEffectsBenchmark.payload(StatementEffectsBenchmark.SELECT);
        insert = StatementEffectsBenchmark.payload(StatementEffectsBenchmark.INSERT);
        hinted = StatementEffectsBenchmark.payload(HINTED);
    }

    private static ReadWriteClass classify(ByteBuf b) {
        return ReadWriteClassifier.ofQuery(b, 1, b.writerIndex(), false);
    }

    @Benchmark
    public ReadWriteClass select200() {
        return classify(select);
    }

    @Benchmark
    public ReadWriteClass insert200() {
        return classify(insert);
    }

    @Benchmark
    public ReadWriteClass hintedSelect() {
        return classify(hinted);
    }
}
