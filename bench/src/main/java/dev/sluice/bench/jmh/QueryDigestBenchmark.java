package dev.sluice.bench.jmh;

import dev.sluice.proxy.digest.Digester;
import dev.sluice.proxy.digest.QueryDigest;
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
 * The query digest (issue 13) on a ~200-byte SELECT with strings, numbers and an IN list, and on sysbench's point
 * select, through one reused {@link Digester} as the relay will use it: {@code digest*} is what the relay will run on
 * every statement ({@link Digester#digest}, the 64-bit value only), {@code normalise*} the first sighting of a
 * digest ({@link Digester#normalise}, the text as well: a String and a record).
 * Scores are nanoseconds per statement. Run with {@code bench/jmh.sh QueryDigest}; add {@code -prof gc} for
 * allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueryDigestBenchmark {
    static final String SELECT = "SELECT id, k, c, pad FROM sbtest1 WHERE k > 12345 AND id IN (4711, 4712, 4713, 4714,"
            + " 4715, 4716) AND c <> '68487932199-96439406143-93774651418-41631865787' AND pad <> 'x' /* report */"
            + " ORDER BY c, k LIMIT 10";
    static final String POINT = "SELECT c FROM sbtest1 WHERE id=42";

    private final Digester digester = new Digester();
    private ByteBuf select;
    private ByteBuf point;

    @Setup
    public void setUp() {
        select = StatementEffectsBenchmark.payload(SELECT);
        point = StatementEffectsBenchmark.payload(POINT);
    }

    @Benchmark
    public long digestSelect200() {
        return digester.digest(select, 1, select.writerIndex(), false);
    }

    @Benchmark
    public long digestPointSelect() {
        return digester.digest(point, 1, point.writerIndex(), false);
    }

    @Benchmark
    public QueryDigest normaliseSelect200() {
        return digester.normalise(select, 1, select.writerIndex(), false);
    }

    @Benchmark
    public QueryDigest normalisePointSelect() {
        return digester.normalise(point, 1, point.writerIndex(), false);
    }
}
