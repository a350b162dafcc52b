package dev.sluice.bench.jmh;

import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Wire}'s length-encoded integers over a mix of all four forms (1, 3, 4 and 9 bytes; mostly 1-byte ones, as
 * in rows of short values). Scores are integers per microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LenencBenchmark {
    private static final int COUNT = 1024;
    /** Fixed, so every run reads the same mix. */
    private static final long SEED = 20_240_601L;

    private long[] values;
    private ByteBuf encoded;
    private ByteBuf scratch;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(SEED);
        values = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            int form = random.nextInt(100);
            values[i] = form < 70
                    ? random.nextLong(251)
                    : form < 85
                            ? 251 + random.nextLong(65536 - 251)
                            : form < 95
                                    ? 65536 + random.nextLong(16777216 - 65536)
                                    : 16777216 + random.nextLong(Long.MAX_VALUE - 16777216);
        }
        encoded = Unpooled.directBuffer(COUNT * 9);
        for (long v : values) {
            Wire.writeLenencInt(encoded, v);
        }
        scratch = Unpooled.directBuffer(COUNT * 9);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoded.release();
        scratch.release();
    }

    @Benchmark
    @OperationsPerInvocation(COUNT)
    public long read() {
        ByteBuf in = encoded.duplicate();
        long sum = 0;
        for (int i = 0; i < COUNT; i++) {
            sum += Wire.readLenencInt(in, "value");
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(COUNT)
    public int write() {
        scratch.clear();
        for (long v : values) {
            Wire.writeLenencInt(scratch, v);
        }
        return scratch.writerIndex();
    }
}
