package dev.sluice.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.protocol.Capability;
import dev.sluice.proxy.config.CaptureConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The triggers and the budget, on an in-memory channel: a validator's violation and an ERR in the middle of a
 * response write the capture on error (once), an ordinary ERR does not; on demand by id; the disk budget deletes the
 * oldest capture, and refuses one that cannot fit.
 */
class CapturesTest {
    static final long CAPS = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_DEPRECATE_EOF;
    static final ByteBuf OK = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0, 0, 0});

    /** A session through its login and one statement, on {@code tap}. */
    static void session(io.netty.channel.Channel ch, dev.sluice.protocol.wire.FrameTap tap, long id) {
        tap.written(AuthRedactionTest.greeting(id), 0);
        tap.read(AuthRedactionTest.login(CAPS, "app"), 1);
        tap.written(OK.duplicate(), 2);
        tap.read(Unpooled.copiedBuffer("\3SELECT 1", StandardCharsets.UTF_8), 0);
        tap.written(Unpooled.wrappedBuffer(new byte[] {1}), 1);
    }

    static ByteBuf err(int code) {
        return Unpooled.buffer().writeByte(0xFF).writeShortLE(code).writeBytes("#HY000oops".getBytes());
    }

    /** Captures on demand: the channel's (in-memory) event loop runs the snapshot, the writer thread the file. */
    static Captures.Written now(Captures captures, EmbeddedChannel ch, long id, String name) throws Exception {
        var written = captures.captureNow(id, name);
        ch.runPendingTasks();
        return written.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".pcapng")).sorted().toList();
        }
    }

    @Test
    void aViolationAndAnErrMidResponseWriteOneCaptureOnError(@TempDir Path dir) throws Exception {
        try (Captures captures = new Captures(CaptureConfig.of(dir, true))) {
            EmbeddedChannel a = new EmbeddedChannel();
            var tapA = captures.tap(a);
            session(a, tapA, 11);
            tapA.written(err(1064), 1); // an ordinary ERR: the response's first packet
            captures.onViolation(a);
            a.runPendingTasks();
            assertThat(captures.onErrorWritten())
                    .as("a violation waits for what Sluice sends next")
                    .isZero();
            tapA.written(err(1835), 1); // Sluice's answer naming the violation: the capture is written with it
            await().atMost(Duration.ofSeconds(10)).until(() -> files(dir).size() == 1);
            assertThat(captures.onErrorWritten()).isEqualTo(1);
            assertThat(files(dir).get(0).getFileName().toString())
                    .startsWith("sluice-session-11-")
                    .endsWith("-on-error.pcapng");
            captures.onViolation(a); // once per session
            a.runPendingTasks();

            EmbeddedChannel b = new EmbeddedChannel();
            var tapB = captures.tap(b);
            session(b, tapB, 12);
            tapB.written(err(1064), 1);
            assertThat(captures.onErrorWritten()).isEqualTo(1);
            tapB.written(Unpooled.wrappedBuffer(new byte[] {3, '1', '2', '3'}), 3);
            tapB.written(err(1242), 4); // after rows
            await().atMost(Duration.ofSeconds(10)).until(() -> captures.onErrorWritten() == 2);
            assertThat(files(dir)).hasSize(2);
            assertThat(captures.onErrorWritten()).isEqualTo(2);

            assertThat(now(captures, b, 12, "now.pcapng").packets()).isEqualTo(8);

            // a violation on a session that ends before Sluice writes anything more: written at its end
            EmbeddedChannel c = new EmbeddedChannel();
            var tapC = captures.tap(c);
            session(c, tapC, 13);
            captures.onViolation(c);
            c.runPendingTasks();
            c.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> captures.onErrorWritten() == 3);
            assertThat(captures.captureNow(99, null).get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isNull();
            assertThat(captures.onDemandWritten()).isEqualTo(1);
        }
    }

    @Test
    void aStoppedSluiceDropsCapturesWithoutDisturbingTheLink(@TempDir Path dir) throws Exception {
        Captures captures = new Captures(CaptureConfig.of(dir, true).withContinuous("app", null));
        EmbeddedChannel ch = new EmbeddedChannel();
        var tap = captures.tap(ch);
        session(ch, tap, 31);
        captures.close();
        assertThat(tap.written(Unpooled.wrappedBuffer(new byte[] {3, '1'}), 2)).isTrue();
        assertThat(tap.written(err(1242), 3))
                .as("an on-error capture after the stop is dropped")
                .isTrue();
        assertThat(tap.read(Unpooled.wrappedBuffer(new byte[] {1}), 0)).isTrue();
        ch.close();
    }

    @Test
    void theBudgetDeletesTheOldestCapturesAndRefusesOneThatCannotFit(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("old.pcapng"), new byte[40_000]);
        Files.setLastModifiedTime(dir.resolve("old.pcapng"), java.nio.file.attribute.FileTime.fromMillis(1000));
        Files.write(dir.resolve("notes.txt"), new byte[100_000]); // not a capture: not counted, never deleted
        CaptureConfig config = new CaptureConfig(256, 256 * 1024, 16 * 1024, dir, 64 * 1024, false, null, null);
        try (Captures captures = new Captures(config)) {
            EmbeddedChannel ch = new EmbeddedChannel();
            var tap = captures.tap(ch);
            session(ch, tap, 21);
            for (int i = 0; i < 60; i++) {
                tap.written(Unpooled.wrappedBuffer(new byte[400]), 2 + i);
            }
            Path first = now(captures, ch, 21, "first").file();
            assertThat(Files.exists(dir.resolve("old.pcapng")))
                    .as("the oldest gave way")
                    .isFalse();
            assertThat(Files.exists(dir.resolve("notes.txt"))).isTrue();
            for (int i = 0; i < 100; i++) {
                tap.written(Unpooled.wrappedBuffer(new byte[1000]), 2 + i);
            }
            assertThatThrownBy(() -> now(captures, ch, 21, "second"))
                    .hasMessageContaining("does not fit in capture.max-bytes");
            assertThat(captures.refusedByBudget()).isEqualTo(1);
            assertThat(Files.exists(first))
                    .as("refused: nothing deleted for it")
                    .isTrue();
        }
    }
}
