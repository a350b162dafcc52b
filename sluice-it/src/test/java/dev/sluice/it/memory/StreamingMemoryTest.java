package dev.sluice.it.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bounded memory while a large result streams through Sluice (DESIGN invariant 8; issue 4), in CI's size: 400 MB of
 * rows to a fast client and to a client that keeps stopping. The full-size figures (2 GB, separate Sluice JVM) come
 * from bench/memory.sh and are in docs/PERFORMANCE.md.
 *
 * <p>Measured: Netty's direct memory (an exact counter, sampled every millisecond for the whole stream), heap after a
 * forced full GC at chosen moments (so GC timing plays no part), and, for the stopping client, the bytes in flight
 * between the server and the client: what the relay in front of the server has handed to Sluice minus what the
 * client has read. Without backpressure Sluice would keep reading the server while the client stands still, and
 * the bytes in flight (and Sluice's direct memory) would grow towards the whole result.
 *
 * <p>The stopping client is controlled, not timed: it blocks on a semaphore after every {@link #PAUSE_EVERY} rows;
 * the test then waits for the relay's count to stand still (Sluice no longer takes the server's bytes), measures,
 * and releases it.
 */
class StreamingMemoryTest {
    private static final int ROWS = 400_000;
    private static final int WIDTH = 1000;
    private static final String QUERY = "SELECT seq, REPEAT('x', " + WIDTH + ") FROM seq_1_to_" + ROWS;
    private static final int PAUSE_EVERY = 50_000;

    /**
     * Netty's direct memory at any moment of a stream, above the level before it. Netty 4.2's default (adaptive)
     * allocator carves buffers out of chunks of up to 8 MiB and frees a chunk only when every buffer in it is
     * released; the relay forwards rows as retained slices of the server channel's read buffers, so the ~1 MiB of
     * rows Sluice may hold for a slow client can keep a few chunks alive at once. Measured here: peaks of 6-32 MiB
     * (once 35 MiB) lasting milliseconds, 5-8 MiB most of the time; the bound is the 64 MiB target less
     * headroom.
     */
    private static final long STREAM_DIRECT_BOUND = 48L << 20;
    /**
     * Netty's direct memory while the client stands still and Sluice has stopped reading (measured: 0.3-13.3 MiB; the
     * allocator may still hold chunks from the burst before the pause).
     */
    private static final long PAUSED_DIRECT_BOUND = 32L << 20;
    /** Heap surviving a full GC, above the level before the stream; this JVM runs the client too (measured: ~1 MiB). */
    private static final long HEAP_BOUND = 16L << 20;
    /**
     * Server output handed to Sluice but not yet read by the stopped client. Sluice holds at most the 1 MiB high
     * watermark plus a read loop's worth (16 x 64 KiB) and one packet; the rest sits in kernel socket buffers: the
     * relay's send buffer (2 x 64 KiB), Sluice's receive buffer towards the relay (autotuned up to tcp_rmem's
     * maximum, 32 MiB on Debian 12), Sluice's send buffer towards the client (up to tcp_wmem's maximum, 4 MiB) and
     * the client's receive buffer (2 x 64 KiB). The bound is the two kernel maxima, read from this machine, plus 4 MiB
     * for Sluice's share, the small buffers and Connector/J's own (40 MiB here; measured: 6-25 MiB). Each pause comes
     * 50,000 rows (51 MB) in: a Sluice that went on reading the server would be hundreds of MB over it.
     */
    private static final long IN_FLIGHT_BOUND =
            (4L << 20) + kernelMax("tcp_rmem", 6L << 20) + kernelMax("tcp_wmem", 4L << 20);

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user("app", "secret")
            .initSql("CREATE DATABASE test")
            .build();

    static CountingRelay relay;
    static ProxyServer proxy;
    static ExecutorService readers;

    @BeforeAll
    static void start() throws Exception {
        relay = new CountingRelay(db.sandbox().host(), db.sandbox().port());
        proxy = ProxyServer.start(new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                List.of(new ServerConfig("relayed", "127.0.0.1", relay.port(), TlsMode.DISABLED)),
                List.of(UserConfig.of("app", "secret")),
                new ClientTlsConfig(false, null, null, false),
                Timeouts.defaults(),
                Limits.defaults(),
                false));
        readers = Executors.newSingleThreadExecutor(r -> new Thread(r, "slow-reader"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (readers != null) {
            readers.shutdownNow();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fastClientStreamsInBoundedMemory() throws Exception {
        try (Connection c = connect("");
                Statement s = streaming(c)) {
            long heapBefore = MemorySampler.heapAfterGc();
            long directBefore = MemorySampler.directUsed();
            List<Long> heapGrowth = new ArrayList<>();
            long started = System.nanoTime();
            Checksum sum;
            long maxDirect;
            try (MemorySampler sampler = new MemorySampler()) {
                // the stream goes on in Sluice while this thread collects: these are mid-stream samples
                sum = read(s, new AtomicLong(), rows -> heapGrowth.add(MemorySampler.heapAfterGc() - heapBefore));
                maxDirect = sampler.maxDirect();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            String report = String.format(
                    "fast client: %d rows in %.1f s (%.0f MB/s), Netty direct max %s above %s"
                            + " (allocator now %s), heap after GC above before: %s",
                    sum.rows,
                    seconds,
                    ROWS * (WIDTH + 10) / seconds / 1e6,
                    mib(maxDirect - directBefore),
                    mib(directBefore),
                    mib(MemorySampler.allocatorDirect()),
                    heapGrowth.stream().map(StreamingMemoryTest::mib).toList());
            System.out.println(report);
            sum.assertComplete();
            assertThat(maxDirect - directBefore).as(report).isLessThanOrEqualTo(STREAM_DIRECT_BOUND);
            assertThat(heapGrowth)
                    .as(report)
                    .hasSize(ROWS / PAUSE_EVERY - 1)
                    .allSatisfy(h -> assertThat(h).isLessThanOrEqualTo(HEAP_BOUND));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stoppedClientStopsSluiceReadingTheServer() throws Exception {
        // a small receive buffer on the client, so that what it has not read is mostly on Sluice's side
        try (Connection c = connect("tcpRcvBuf=65536");
                Statement s = streaming(c)) {
            long heapBefore = MemorySampler.heapAfterGc();
            long directBefore = MemorySampler.directUsed();
            long relayBefore = relay.bytesToDownstream();
            AtomicLong consumed = new AtomicLong();
            Semaphore paused = new Semaphore(0);
            Semaphore resume = new Semaphore(0);
            List<String> pauses = new ArrayList<>();
            Checksum sum;
            long maxDirect;
            try (MemorySampler sampler = new MemorySampler()) {
                Future<Checksum> reader = readers.submit(() -> read(s, consumed, rows -> {
                    paused.release();
                    resume.acquireUninterruptibly();
                }));
                for (int i = 1; i < ROWS / PAUSE_EVERY; i++) {
                    assertThat(paused.tryAcquire(60, TimeUnit.SECONDS))
                            .as("the reader reached pause %d", i)
                            .isTrue();
                    awaitRelayStill();
                    long inFlight = relay.bytesToDownstream() - relayBefore - consumed.get();
                    long heap = MemorySampler.heapAfterGc() - heapBefore;
                    long direct = MemorySampler.directUsed() - directBefore;
                    pauses.add(String.format(
                            "pause %d after %d rows: in flight %s, direct %s, heap %s",
                            i, i * PAUSE_EVERY, mib(inFlight), mib(direct), mib(heap)));
                    assertThat(inFlight).as(String.join("\n", pauses)).isLessThanOrEqualTo(IN_FLIGHT_BOUND);
                    assertThat(heap).as(String.join("\n", pauses)).isLessThanOrEqualTo(HEAP_BOUND);
                    assertThat(direct).as(String.join("\n", pauses)).isLessThanOrEqualTo(PAUSED_DIRECT_BOUND);
                    resume.release();
                }
                sum = reader.get(60, TimeUnit.SECONDS);
                maxDirect = sampler.maxDirect();
            } finally {
                resume.release(ROWS);
            }
            String report = String.join("\n", pauses)
                    + String.format(
                            "%nstopping client: Netty direct max %s above %s;" + " in-flight bound %s",
                            mib(maxDirect - directBefore), mib(directBefore), mib(IN_FLIGHT_BOUND));
            System.out.println(report);
            sum.assertComplete();
            assertThat(maxDirect - directBefore).as(report).isLessThanOrEqualTo(STREAM_DIRECT_BOUND);
        }
    }

    /** Waits until the relay has handed Sluice nothing new for two polls in a row, 100 ms apart. */
    private static void awaitRelayStill() {
        long[] last = {-1, 0};
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    long now = relay.bytesToDownstream();
                    last[1] = now == last[0] ? last[1] + 1 : 0;
                    last[0] = now;
                    return last[1] >= 2;
                });
    }

    private static Connection connect(String extra) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:" + proxy.addresses().get(0).getPort()
                        + "/test?sslMode=DISABLED&allowPublicKeyRetrieval=true" + (extra.isEmpty() ? "" : "&" + extra),
                "app",
                "secret");
    }

    /** Connector/J reads row by row from the socket with this fetch size (no buffering of the result). */
    private static Statement streaming(Connection c) throws SQLException {
        Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        s.setFetchSize(Integer.MIN_VALUE);
        return s;
    }

    private interface Every {
        void reached(long rows) throws Exception;
    }

    /** Reads the whole result, checking each row; calls {@code every} after each PAUSE_EVERY rows but the last. */
    private static Checksum read(Statement s, AtomicLong consumedWireBytes, Every every) throws Exception {
        Checksum sum = new Checksum();
        try (ResultSet rs = s.executeQuery(QUERY)) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                byte[] value = rs.getBytes(2);
                sum.add(seq, value);
                consumedWireBytes.addAndGet(rowWireBytes(seq));
                if (sum.rows % PAUSE_EVERY == 0 && sum.rows < ROWS) {
                    every.reached(sum.rows);
                }
            }
        }
        return sum;
    }

    /** A text row's packet: 4-byte header, lenenc string of the decimal seq, lenenc string (0xFC + 2 bytes) of x's. */
    private static long rowWireBytes(long seq) {
        return 4 + 1 + Long.toString(seq).length() + 3 + WIDTH;
    }

    /** The third field of /proc/sys/net/ipv4/{tcp_rmem,tcp_wmem}: how far autotuning may grow a socket buffer. */
    private static long kernelMax(String name, long fallback) {
        // not Files.readString: it trusts the size procfs reports and returns a truncated line
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4", name))) {
            String[] fields = in.readLine().trim().split("\\s+");
            return Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    private static final class Checksum {
        long rows;
        long seqSum;
        String firstBad;

        void add(long seq, byte[] value) {
            rows++;
            seqSum += seq;
            boolean good = seq == rows && value.length == WIDTH && value[0] == 'x' && value[WIDTH - 1] == 'x';
            if (firstBad == null && !good) {
                firstBad = "row " + rows + ": seq " + seq + ", " + value.length + " bytes";
            }
        }

        void assertComplete() {
            assertThat(firstBad).as("first wrong row").isNull();
            assertThat(rows).as("rows").isEqualTo(ROWS);
            assertThat(seqSum).as("sum of seq").isEqualTo((long) ROWS * (ROWS + 1) / 2);
        }
    }
}
