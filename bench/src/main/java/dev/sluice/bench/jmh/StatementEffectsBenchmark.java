package dev.sluice.bench.jmh;

import dev.sluice.proxy.session.StatementEffects;
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
 * The statement classifier of transaction-mode pinning ({@link StatementEffects#ofQuery}) on what sessions send
 * most: a ~200-byte SELECT and a ~200-byte INSERT (sysbench-like, in direct buffers as payloads arrive), both "no
 * effect" by the fast path; and for scale a statement that takes the token path ({@code SET @a = ...}). Scores are
 * nanoseconds per statement. Run with {@code bench/jmh.sh StatementEffects}; add {@code -prof gc} for allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StatementEffectsBenchmark {
    static final String SELECT = "SELECT id, k, c, pad FROM sbtest1 WHERE id BETWEEN 4711 AND 4810 AND k > 12345"
            + " AND c <> '68487932199-96439406143-93774651418-41631865787-96406072701' AND pad <> 'x' ORDER BY c, k"
            + " LIMIT 10";
    static final String INSERT = "INSERT INTO sbtest1 (id, k, c, pad) VALUES (0, 50234, '68487932199-96439406143-"
            + "93774651418-41631865787-96406072701-20604855487-25459966574-28203206787', '22195207048-70116052123-"
            + "74140395089-76317954521')";
    static final String SET = "SET @last_seen = (SELECT MAX(id) FROM sbtest1 WHERE k = 50234), autocommit = 1";

    private ByteBuf select;
    private ByteBuf insert;
    private ByteBuf set;

    @Setup
    public void setUp() {
        select = payload(SELECT);
        insert = payload(INSERT);
        set = payload(SET);
    }

    static ByteBuf payload(String sql) {
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuf b = Unpooled.directBuffer(bytes.length + 1);
        b.writeByte(0x03); // COM_QUERY
        b.writeBytes(bytes);
        return b;
    }

    private static StatementEffects classify(ByteBuf b) {
        return StatementEffects.ofQuery(b, 1, b.writerIndex(), false);
    }

    @Benchmark
    public StatementEffects select200() {
        return classify(select);
    }

    @Benchmark
    public StatementEffects insert200() {
        return classify(insert);
    }

    @Benchmark
    public StatementEffects setUserVariable() {
        return classify(set);
    }
}
