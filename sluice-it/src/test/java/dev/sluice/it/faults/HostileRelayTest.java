package dev.sluice.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The relay itself: bytes in = bytes out under random splits, backpressure, half-close and reset. */
class HostileRelayTest {
    private ServerSocket targetListener;
    private HostileRelay relay;

    @AfterEach
    void tearDown() throws IOException {
        if (relay != null) {
            relay.close();
        }
        if (targetListener != null) {
            targetListener.close();
        }
    }

    /** An echo server on its own thread: writes back what it reads, closes on EOF. */
    private int echoTarget() throws IOException {
        targetListener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(
                () -> {
                    try (Socket s = targetListener.accept()) {
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        byte[] buf = new byte[8192];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            out.write(buf, 0, n);
                        }
                    } catch (IOException ignored) {
                        // the test sees it from the client side
                    }
                },
                "echo-target");
        t.setDaemon(true);
        t.start();
        return targetListener.getLocalPort();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20260101})
    void bytesInEqualBytesOutBothWays(long seed) throws Exception {
        relay = HostileRelay.start("echo", "127.0.0.1", echoTarget(), seed);
        byte[] sent = new byte[3 << 20];
        new Random(seed).nextBytes(sent);
        try (Socket client = new Socket("127.0.0.1", relay.port())) {
            client.setSoTimeout(30_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    Random sizes = new Random(seed ^ 0x5EED);
                    for (int off = 0; off < sent.length; ) {
                        int n = Math.min(sent.length - off, 1 + sizes.nextInt(100_000));
                        out.write(sent, off, n);
                        off += n;
                    }
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = client.getInputStream().readAllBytes(); // ends when the echo's EOF comes back
            writer.get(30, TimeUnit.SECONDS);
            assertThat(received.length).as("relay %s", relay).isEqualTo(sent.length);
            assertThat(Arrays.mismatch(received, sent))
                    .as("first differing byte, relay %s", relay)
                    .isEqualTo(-1);
        }
        // each direction relays every byte once
        assertThat(relay.bytesForwarded()).as("relay %s", relay).isEqualTo(2L * sent.length);
        assertThat(relay.tinyPieces()).as("1..3 byte pieces, relay %s", relay).isGreaterThan(100);
        assertThat(relay.pieces()).as("pieces, relay %s", relay).isGreaterThan(relay.tinyPieces() * 3);
        assertThat(relay.delays()).as("delays, relay %s", relay).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.openConnections() == 0);
    }

    @Test
    void wholeChunksAlsoOccur() throws Exception {
        relay = HostileRelay.start("echo", "127.0.0.1", echoTarget(), 7, HostileRelay.Profile.NO_DELAYS);
        try (Socket client = new Socket("127.0.0.1", relay.port())) {
            client.setSoTimeout(30_000);
            byte[] block = new byte[4096];
            Arrays.fill(block, (byte) 'x');
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] back = new byte[block.length];
            // one block at a time, echoed before the next: each read of the relay is one 4 KiB chunk at most
            for (int i = 0; i < 400 && relay.wholeChunks() == 0; i++) {
                out.write(block);
                int got = 0;
                while (got < block.length) {
                    got += in.read(back, got, block.length - got);
                }
            }
        }
        assertThat(relay.wholeChunks())
                .as("chunks forwarded in one piece, relay %s", relay)
                .isPositive();
    }

    /** A target that never reads: the relay must stop reading too, so the client's writes stop. */
    @Test
    void backpressureBoundsWhatTheRelayAccepts() throws Exception {
        targetListener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return targetListener.accept(); // held open, never read
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        relay = HostileRelay.start(
                "sink", "127.0.0.1", targetListener.getLocalPort(), 11, HostileRelay.Profile.NO_DELAYS);
        long limit = 256L << 20;
        long written = 0;
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", relay.port()));
                Selector selector = Selector.open()) {
            client.configureBlocking(false);
            client.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            // write until nothing more is taken for 1 s (or the limit proves the relay buffers without bound)
            while (written < limit) {
                if (selector.select(1000) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
                buf.clear();
                written += client.write(buf);
            }
        } finally {
            accepted.get(5, TimeUnit.SECONDS).close();
        }
        // kernel buffers on four sockets (a few MiB each on loopback) plus the relay's one 64 KiB chunk
        assertThat(written)
                .as("bytes accepted while the target never reads, relay %s", relay)
                .isLessThan(64L << 20);
    }

    @Test
    void cutResetsBothPeers() throws Exception {
        targetListener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return targetListener.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        relay = HostileRelay.start("cut", "127.0.0.1", targetListener.getLocalPort(), 5);
        try (Socket client = new Socket("127.0.0.1", relay.port());
                Socket server = accepted.get(5, TimeUnit.SECONDS)) {
            client.setSoTimeout(5000);
            server.setSoTimeout(5000);
            client.getOutputStream().write("hello".getBytes());
            assertThat(server.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());
            relay.cut();
            // a reset: the read fails (or, on some kernels, sees end of stream), it never blocks
            Throwable clientSide = catchThrowable(
                    () -> assertThat(client.getInputStream().read()).isEqualTo(-1));
            Throwable serverSide = catchThrowable(
                    () -> assertThat(server.getInputStream().read()).isEqualTo(-1));
            assertThat(clientSide)
                    .as("client side")
                    .satisfiesAnyOf(
                            t -> assertThat(t).isNull(), t -> assertThat(t).hasMessageContaining("reset"));
            assertThat(serverSide)
                    .as("server side")
                    .satisfiesAnyOf(
                            t -> assertThat(t).isNull(), t -> assertThat(t).hasMessageContaining("reset"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.openConnections() == 0);
    }

    /** MySQL-framed packets echoed back: after arming, exactly the next header's sequence id is off by one. */
    @Test
    void tamperChangesExactlyTheNextSequenceId() throws Exception {
        relay = HostileRelay.start("tamper", "127.0.0.1", echoTarget(), 13);
        Random random = new Random(13);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        int tamperedAt = -1;
        for (int p = 0; p < 60; p++) {
            ByteArrayOutputStream target = p < 30 ? first : second;
            if (p == 30) {
                tamperedAt = target.size() + 3; // the sequence id byte of packet 30's header
            }
            int length = p % 10 == 0 ? 0 : random.nextInt(300); // empty packets too
            target.write(length & 0xFF);
            target.write((length >> 8) & 0xFF);
            target.write((length >> 16) & 0xFF);
            target.write(p & 0xFF); // sequence id
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            target.write(payload);
        }
        try (Socket client = new Socket("127.0.0.1", relay.port())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(first.toByteArray());
            assertThat(client.getInputStream().readNBytes(first.size())).isEqualTo(first.toByteArray());
            relay.tamperNextSequenceId();
            client.getOutputStream().write(second.toByteArray());
            byte[] back = client.getInputStream().readNBytes(second.size());
            byte[] expected = second.toByteArray();
            expected[tamperedAt]++;
            assertThat(back).isEqualTo(expected);
        }
        assertThat(relay.tamperedSequenceIds()).isEqualTo(1);
    }

    @Test
    void stallHoldsBytesUntilUnstalled() throws Exception {
        relay = HostileRelay.start("stall", "127.0.0.1", echoTarget(), 9);
        try (Socket client = new Socket("127.0.0.1", relay.port())) {
            client.setSoTimeout(300);
            relay.stall();
            client.getOutputStream().write("ping".getBytes());
            Throwable held = catchThrowable(() -> client.getInputStream().read());
            assertThat(held).as("nothing arrives while stalled").isInstanceOf(java.net.SocketTimeoutException.class);
            relay.unstall();
            client.setSoTimeout(5000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (got.size() < 4) {
                got.write(client.getInputStream().read());
            }
            assertThat(got.toString()).isEqualTo("ping");
        }
    }
}
