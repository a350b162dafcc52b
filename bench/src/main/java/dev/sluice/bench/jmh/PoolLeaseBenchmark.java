package dev.sluice.bench.jmh;

import dev.sluice.backend.pool.BenchPools;
import dev.sluice.backend.pool.PoolSettings;
import dev.sluice.backend.pool.PooledConnection;
import dev.sluice.backend.pool.ServerPool;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Transaction mode's per-statement pool traffic: a lease of an idle connection of the caller's event loop ({@link
 * ServerPool#acquireIdleNow}) and its give-back as it is ({@link ServerPool#giveBackAsIs}), what every autocommit
 * statement costs in the pool. {@code oneLoop}: one thread; {@code twoLoops}: two threads, each the "event loop" of
 * its own connections, contending for the pool's monitor as two busy loops do. Each loop has {@link #PER_LOOP}
 * connections. The connections are EmbeddedChannels (no server, see BenchPools): what is measured is the pool's
 * bookkeeping, not I/O. Scores are nanoseconds per lease + give-back. Each sample times a batch of {@link #BATCH}
 * of them (about 10 µs), so the median (p0.50) stays clear of the scheduler's preemptions on a busy machine (a
 * preempted sample is off by milliseconds and would dominate an average); read p0.50. Run with {@code bench/jmh.sh
 * PoolLease} (add {@code -prof gc} for allocation).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(3)
public class PoolLeaseBenchmark {
    static final int PER_LOOP = 4;
    static final int BATCH = 100;

    /** The pool, shared by the benchmark's threads. */
    @State(Scope.Group)
    public static class Pool {
        ServerPool pool;

        @Setup(Level.Trial)
        public void setUp() {
            pool = BenchPools.pool(PoolSettings.builder().maxSize(64).build());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    /** One thread's event loop and its connections in the pool. */
    @State(Scope.Thread)
    public static class Loop {
        EventLoop loop;
        EmbeddedChannel[] channels = new EmbeddedChannel[PER_LOOP];

        @Setup(Level.Trial)
        public void setUp(Pool pool) {
            channels[0] = new EmbeddedChannel();
            loop = channels[0].eventLoop();
            for (int i = 1; i < PER_LOOP; i++) {
                channels[i] = new OnLoop(loop);
            }
            for (EmbeddedChannel ch : channels) {
                BenchPools.add(pool.pool, ch);
            }
        }
    }

    /** An EmbeddedChannel that says it lives on {@code loop} (each EmbeddedChannel has a loop of its own). */
    static final class OnLoop extends EmbeddedChannel {
        private final EventLoop loop;

        OnLoop(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop != null ? loop : super.eventLoop(); // null while EmbeddedChannel's constructor registers it
        }
    }

    private static void leaseAndGiveBack(Pool pool, Loop loop, Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            PooledConnection c = pool.pool.acquireIdleNow(loop.loop);
            if (c == null) {
                throw new IllegalStateException("no idle connection on the loop");
            }
            pool.pool.giveBackAsIs(c);
            bh.consume(c);
        }
    }

    @Benchmark
    @Group("oneLoop")
    @GroupThreads(1)
    @OperationsPerInvocation(BATCH)
    public void oneLoop(Pool pool, Loop loop, Blackhole bh) {
        leaseAndGiveBack(pool, loop, bh);
    }

    @Benchmark
    @Group("twoLoops")
    @GroupThreads(2)
    @OperationsPerInvocation(BATCH)
    public void twoLoops(Pool pool, Loop loop, Blackhole bh) {
        leaseAndGiveBack(pool, loop, bh);
    }
}
