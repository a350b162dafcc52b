package dev.sluice.it.proxy;

import static dev.sluice.it.memory.MemorySampler.mib;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.it.memory.MemorySampler;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.InputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Memory bounded in the client → server direction (DESIGN invariant 8; issue 10 item 3): a client that writes faster
 * than the server takes stops being read, whatever the command. The server stalls (SIGSTOP) while a client sends
 * COM_STMT_SEND_LONG_DATA (commands without a response, which used to go straight into the server channel's buffer:
 * 400 MiB grew Sluice by 800 MiB) or pipelines large COM_QUERYs (which used to queue by count, 64 of any size).
 *
 * <p>Measured as {@code StreamingMemoryTest} measures the result direction: Netty's direct memory, sampled every
 * millisecond from before the stall until the client stands still, and heap after a forced full GC at that moment.
 * The client is held back by Sluice, so it stands still (the count of bytes it handed over stops growing) long before
 * its 1 GiB is sent; without backpressure it sends everything and Sluice holds it.
 */
class ClientBackpressureTest {
    /** What the stalled client tries to send. */
    private static final long LONG_DATA = 1L << 30;
    /**
     * Netty's direct memory above the level before the stall, while the client is held back. Sluice's share per
     * session is the command queue's 1 MiB, the server channel's 64 KiB write watermark and up to three of the
     * client's packets (one past each of those bounds, one being read to its end): ~4 MiB with Connector/J's 1 MiB
     * long-data chunks; the rest is the allocator's chunks (see {@code StreamingMemoryTest}).
     */
    static final long DIRECT_BOUND = 16L << 20;
    /** Heap surviving a full GC, above the level before; this JVM runs the client too. */
    static final long HEAP_BOUND = 16L << 20;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .option("max_allowed_packet", "64M")
            .build();

    static ProxyFixture fixture;
    static ExecutorService clients;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
        clients = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stalled-client");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() {
        if (db.sandbox().isPaused()) {
            db.sandbox().resume();
        }
        if (clients != null) {
            clients.shutdownNow();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A stream of {@code length} bytes that counts what the driver has taken from it. */
    private static final class CountingStream extends InputStream {
        private final long length;
        private final Random random;
        private final AtomicLong taken = new AtomicLong();

        /** @param random the bytes' source, or null when their value does not matter */
        CountingStream(long length, Random random) {
            this.length = length;
            this.random = random;
        }

        long taken() {
            return taken.get();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long left = length - taken.get();
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            if (random != null) {
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
            }
            taken.addAndGet(n);
            return n;
        }
    }

    private static Connection serverPrepared() throws Exception {
        // Connector/J sends a stream parameter of a server-side prepared statement as COM_STMT_SEND_LONG_DATA packets
        // of blobSendChunkSize (1 MiB by default), then COM_STMT_EXECUTE
        return fixture.mysql("useServerPrepStmts=true");
    }

    /** Waits until the count reached {@code end} or stood still for three polls in a row, 200 ms apart. */
    private static long awaitStill(LongSupplier count, long end) {
        long[] last = {-1, 0};
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    long now = count.getAsLong();
                    last[1] = now == last[0] ? last[1] + 1 : 0;
                    last[0] = now;
                    return now >= end || last[1] >= 3;
                });
        return count.getAsLong();
    }

    private record Measured(long direct, long heap, String report) {}

    /** Direct memory's maximum over the sampler's life and heap after GC, both above the levels given. */
    private static Measured measure(MemorySampler sampler, long directBefore, long heapBefore, String what) {
        long direct = sampler.maxDirect() - directBefore;
        long heap = MemorySampler.heapAfterGc() - heapBefore;
        String report = String.format(
                "%s; Netty direct max %s above %s, heap after GC %s above before (bounds %s, %s)",
                what, mib(direct), mib(directBefore), mib(heap), mib(DIRECT_BOUND), mib(HEAP_BOUND));
        System.out.println(report);
        return new Measured(direct, heap, report);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aClientSendingLongDataToAStalledServerIsHeldBackInBoundedMemory() throws Exception {
        Connection c = serverPrepared();
        try {
            PreparedStatement ps = c.prepareStatement("SELECT LENGTH(?)");
            CountingStream data = new CountingStream(LONG_DATA, null);
            long heapBefore = MemorySampler.heapAfterGc();
            long directBefore = MemorySampler.directUsed();
            db.sandbox().pause();
            Measured m;
            long sent;
            try (MemorySampler sampler = new MemorySampler()) {
                clients.submit(() -> {
                    ps.setBinaryStream(1, data, LONG_DATA);
                    return ps.executeQuery();
                });
                sent = awaitStill(data::taken, LONG_DATA);
                m = measure(
                        sampler,
                        directBefore,
                        heapBefore,
                        String.format(
                                "1 GiB of COM_STMT_SEND_LONG_DATA to a stalled server: the client stood still after %s",
                                mib(sent)));
            }
            assertThat(m.direct()).as(m.report()).isLessThanOrEqualTo(DIRECT_BOUND);
            assertThat(m.heap()).as(m.report()).isLessThanOrEqualTo(HEAP_BOUND);
            assertThat(sent).as(m.report()).isLessThan(LONG_DATA);
        } finally {
            c.abort(Runnable::run); // the client is blocked writing; its socket closes under it
            db.sandbox().resume();
            fixture.recheckServer();
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void longDataHeldBackDuringAStallArrivesWholeWhenTheServerResumes() throws Exception {
        int length = 48 << 20;
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] chunk = new byte[1 << 20];
        Random expected = new Random(48);
        for (int i = 0; i < length / chunk.length; i++) {
            expected.nextBytes(chunk);
            md5.update(chunk);
        }
        try (Connection c = serverPrepared()) {
            PreparedStatement ps = c.prepareStatement("SELECT MD5(?)");
            CountingStream data = new CountingStream(length, new Random(48));
            long heapBefore = MemorySampler.heapAfterGc();
            long directBefore = MemorySampler.directUsed();
            db.sandbox().pause();
            Future<String> answer;
            Measured m;
            try (MemorySampler sampler = new MemorySampler()) {
                answer = clients.submit(() -> {
                    ps.setBinaryStream(1, data, length);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getString(1);
                    }
                });
                long sent = awaitStill(data::taken, length);
                m = measure(
                        sampler,
                        directBefore,
                        heapBefore,
                        String.format(
                                "48 MiB of long data to a stalled server: the client stood still after %s", mib(sent)));
                assertThat(sent).as(m.report()).isLessThan(length);
            } finally {
                db.sandbox().resume();
            }
            assertThat(answer.get(120, TimeUnit.SECONDS))
                    .as("MD5 of the data the server received")
                    .isEqualTo(HexFormat.of().formatHex(md5.digest()));
            assertThat(m.direct()).as(m.report()).isLessThanOrEqualTo(DIRECT_BOUND);
        }
        fixture.recheckServer();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerThatTakesNothingForServerReadTimeoutEndsTheSession() throws Exception {
        Duration serverRead = Duration.ofSeconds(2);
        Timeouts timeouts =
                new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60), serverRead, null);
        try (ProxyFixture timed = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(
                        db.sandbox(),
                        db.sandbox().host(),
                        db.sandbox().port(),
                        ProxyFixture.NO_TLS,
                        timeouts,
                        Limits.defaults(),
                        false),
                0)) {
            // not closed: Sluice ended the session, and closing would only report that again
            Connection c = Driver.CONNECTOR_J.connect(
                    timed.port(), "useServerPrepStmts=true", ProxyFixture.USER, ProxyFixture.PASSWORD);
            PreparedStatement ps = c.prepareStatement("SELECT LENGTH(?)");
            CountingStream data = new CountingStream(LONG_DATA, null);
            db.sandbox().pause();
            long started = System.nanoTime();
            try {
                // only COM_STMT_SEND_LONG_DATA reaches the server before it stalls: no answer is awaited, yet the
                // server takes nothing, and Sluice stops reading the client; the deadline ends the wait
                Future<ResultSet> sent = clients.submit(() -> {
                    ps.setBinaryStream(1, data, LONG_DATA);
                    return ps.executeQuery();
                });
                assertThatThrownBy(() -> sent.get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(SQLException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(serverRead);
                assertThat(data.taken()).isLessThan(LONG_DATA);
                assertThat(c.isValid(5)).isFalse();
            } finally {
                c.abort(Runnable::run);
                db.sandbox().resume();
            }
        }
        fixture.recheckServer();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void pipelinedCommandsQueueInBoundedMemoryWhileTheServerStalls() throws Exception {
        int commands = 128;
        String filler = "x".repeat((1 << 20) - 16);
        try (RawClient client = RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            long heapBefore = MemorySampler.heapAfterGc();
            long directBefore = MemorySampler.directUsed();
            AtomicInteger written = new AtomicInteger();
            db.sandbox().pause();
            Future<?> writer;
            Measured m;
            try (MemorySampler sampler = new MemorySampler()) {
                // written back to back without reading an answer, as a pipelining client does
                writer = clients.submit(() -> {
                    for (int i = 0; i < commands; i++) {
                        client.sendQuery("DO LENGTH('" + filler + "')");
                        written.incrementAndGet();
                    }
                });
                long sent = awaitStill(written::get, commands);
                m = measure(
                        sampler,
                        directBefore,
                        heapBefore,
                        String.format(
                                "%d pipelined 1 MiB COM_QUERYs to a stalled server: the client stood still after %d",
                                commands, sent));
                assertThat(sent).as(m.report()).isLessThan(commands);
            } finally {
                db.sandbox().resume();
            }
            for (int i = 0; i < commands; i++) {
                RawClient.RawPacket answer = client.read();
                assertThat(answer.first())
                        .as("answer %d: %s", i, answer.isErr() ? answer.err() : "")
                        .isEqualTo(0x00);
            }
            writer.get(60, TimeUnit.SECONDS);
            assertThat(m.direct()).as(m.report()).isLessThanOrEqualTo(DIRECT_BOUND);
            assertThat(m.heap()).as(m.report()).isLessThanOrEqualTo(HEAP_BOUND);
            assertThat(client.query("SELECT 7")).containsExactly(java.util.List.of("7"));
        }
    }
}
