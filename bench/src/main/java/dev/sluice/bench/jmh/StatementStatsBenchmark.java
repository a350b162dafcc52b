package dev.sluice.bench.jmh;

import dev.sluice.proxy.digest.DigestTable;
import dev.sluice.proxy.session.BenchObserver;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
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
 * What issue 13's statement statistics add to one statement on the relay path: a session's StatementObserver from the
 * command's start to its end (command count, latency histogram, ERR bookkeeping, and with digests on the digest of the
 * text, the row lookup and the row's update). A sysbench-like 200-byte point select; "off" is digests.enabled=false.
 * Compare with the relay's CPU per query in bench/ab.sh (about 40 us on this machine).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StatementStatsBenchmark {
    private static final String SQL = "SELECT c, pad, k FROM sbtest1 WHERE id = 50214 AND k BETWEEN 4012 AND 4099"
            + " AND c LIKE '83868641912-28773972837-60736120486-75162659906-27563526494%' ORDER BY id LIMIT 1";

    private ByteBuf payload;
    private BenchObserver digestsOn;
    private BenchObserver digestsOff;

    @Setup
    public void setUp() {
        byte[] text = SQL.getBytes(StandardCharsets.UTF_8);
        payload = Unpooled.buffer(text.length + 1);
        payload.writeByte(0x03).writeBytes(text);
        digestsOn = new BenchObserver(new StatementStats(new DigestTable(1000), null));
        digestsOff = new BenchObserver(new StatementStats(null, null));
    }

    @Benchmark
    public void digestsOn() {
        digestsOn.query(payload);
    }

    @Benchmark
    public void digestsOff() {
        digestsOff.query(payload);
    }
}
