package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.capture.Tshark;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.CaptureConfig;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.config.ValidateConfig;
import dev.sluice.proxy.config.ValidateConfig.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The strict validator against a scripted server committing each seed's bug behind a real Sluice, with a client on a
 * socket: each is reported exactly once (one log line on {@code dev.sluice.validate}, the counter at 1) naming the
 * rule, direction, exchange packet and offset; with {@code validate: enforce} the client's ERR names the rule.
 */
class ValidatorSeedsTest {
    private SeedServer server;
    private ProxyServer proxy;
    private final ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            reports.add(event.getFormattedMessage());
        }
    };

    @BeforeEach
    void start() {
        server = new SeedServer();
        appender.start();
        ((Logger) LoggerFactory.getLogger("dev.sluice.validate")).addAppender(appender);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("dev.sluice.validate")).detachAppender(appender);
        if (proxy != null) {
            proxy.close();
        }
        server.close();
    }

    private RawClient client(Mode mode) {
        return client(mode, null);
    }

    private RawClient client(Mode mode, CaptureConfig capture) {
        Timeouts timeouts = new Timeouts(
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1), null);
        ProxyConfig config = ProxyFixture.withMode(
                        new ProxyConfig(
                                List.of(new ListenerConfig("127.0.0.1", 0)),
                                List.of(new ServerConfig("seeds", "127.0.0.1", server.port(), TlsMode.DISABLED)),
                                List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD)),
                                ClientTlsConfig.selfSigned(),
                                timeouts,
                                Limits.defaults(),
                                false),
                        PoolMode.SESSION)
                .withValidate(new ValidateConfig(mode))
                .withCapture(capture);
        proxy = ProxyServer.start(config);
        return RawClient.login(proxy.addresses().get(0).getPort(), ProxyFixture.USER, ProxyFixture.PASSWORD, null);
    }

    /** The one report, once it is logged; and no second one (the counter stays at 1). */
    private String theReport() {
        String line = await().atMost(Duration.ofSeconds(10)).until(reports::peek, l -> l != null);
        assertThat(reports).hasSize(1);
        assertThat(proxy.violations().total()).isEqualTo(1);
        assertThat(proxy.violations().faults()).isZero();
        return line;
    }

    private static void assertErrNames(RawClient.RawPacket p, int code, String rule) {
        assertThat(p.isErr()).as("an ERR").isTrue();
        ErrPacket err = p.err();
        assertThat(err.errorCode()).isEqualTo(code);
        assertThat(err.sqlState()).isEqualTo("08S01");
        assertThat(err.message()).contains("rule " + rule);
    }

    /** Seed 004: last_insert_id 1,000,000 as 0xFD + 4 bytes; the byte too many lands in the OK's info. */
    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"OBSERVE", "ENFORCE"})
    void aFourByteLengthEncodedIntegerInAnOk(Mode mode) {
        try (RawClient c = client(mode)) {
            c.sendQuery("SEED 004");
            RawClient.RawPacket answer = c.read();
            if (mode == Mode.ENFORCE) {
                assertErrNames(answer, 1835, "field");
                assertThat(answer.sequenceId()).isEqualTo(1);
                assertThat(c.closedByPeer()).isTrue();
            } else {
                assertThat(answer.first()).isZero(); // relayed as it came
            }
        }
        assertThat(theReport())
                .contains("direction=to_client rule=field command=COM_QUERY packet=1 offset=10 ")
                .contains("found=\"control byte 0x00\"")
                .contains("hex=0001fd40420f0002000000");
    }

    /**
     * A violation writes the session's capture (capture.on-error): the file holds the bad OK as it came, and tshark
     * reads the exchange that led to it.
     */
    @org.junit.jupiter.api.Test
    void aViolationWritesTheSessionsCapture(@TempDir Path dir) throws Exception {
        try (RawClient c = client(Mode.OBSERVE, CaptureConfig.of(dir, true))) {
            c.sendQuery("SEED 004");
            assertThat(c.read().first()).isZero();
        }
        assertThat(theReport()).contains("rule=field");
        Path file = await().atMost(Duration.ofSeconds(10)).until(() -> onlyCapture(dir), f -> f != null);
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(file))).contains("0001fd40420f0002000000");
        List<String[]> frames = new Tshark(proxy.addresses().get(0).getPort()).dissect(file);
        assertThat(frames).anySatisfy(f -> assertThat(f[2]).isEqualTo("SEED 004"));
    }

    private static Path onlyCapture(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> done =
                    files.filter(f -> f.toString().endsWith(".pcapng")).toList();
            return done.size() == 1 ? done.get(0) : null;
        }
    }

    /** {@code validate: off}: no tap at all; the bad OK goes through unreported. */
    @org.junit.jupiter.api.Test
    void offReportsNothing() {
        try (RawClient c = client(Mode.OFF)) {
            c.sendQuery("SEED 004");
            assertThat(c.read().first()).isZero();
            c.writePacket(0, new byte[] {0x0E}); // COM_PING: the session goes on
            assertThat(c.read().first()).isZero();
        }
        assertThat(proxy.violations().total()).isZero();
        assertThat(reports).isEmpty();
    }

    /**
     * A client's command out of state (COM_STMT_FETCH of a statement never prepared): observed, it goes on to the
     * server (in pool.mode session) as it always did; enforced, the command is withheld and the ERR naming the rule answers it (sequence id 1,
     * as the answer to a command carries).
     */
    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"OBSERVE", "ENFORCE"})
    void aFetchWithoutAnOpenCursorFromTheClient(Mode mode) {
        try (RawClient c = client(mode)) {
            c.writePacket(0, new byte[] {0x1C, 7, 0, 0, 0, 10, 0, 0, 0});
            RawClient.RawPacket answer = c.read();
            assertThat(answer.sequenceId()).isEqualTo(1);
            if (mode == Mode.ENFORCE) {
                assertErrNames(answer, 1835, "command_state");
                assertThat(c.closedByPeer()).isTrue();
            } else {
                assertThat(answer.first()).isZero(); // relayed to the scripted server, whose answer came back
            }
        }
        assertThat(theReport())
                .contains("direction=from_client rule=command_state command=COM_STMT_FETCH packet=0 offset=1 ")
                .contains("found=\"statement 7, not prepared\"");
    }

    /** Seed 000: sequence ids out of order after 100,000 rows (seen by the server connection's framing). */
    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"OBSERVE", "ENFORCE"})
    void sequenceIdsOutOfOrderAfterAHundredThousandRows(Mode mode) {
        try (RawClient c = client(mode)) {
            c.sendQuery("SEED 000");
            assertThat(c.read().first()).isEqualTo(1); // column count
            c.read(); // definition
            assertThat(c.read().isEof()).isTrue();
            for (int i = 1; i <= SeedServer.ROWS; i++) {
                RawClient.RawPacket row = c.read();
                assertThat(row.isErr()).as("row %d", i).isFalse();
            }
            assertErrNames(c.read(), 1158, "sequence");
        }
        // column count, definition, EOF, 100,000 rows: the packet out of order is the exchange's 100,004th
        assertThat(theReport())
                .contains("direction=from_server rule=sequence command=COM_QUERY packet=100004 offset=-1 ")
                .contains("expected=\"sequence id " + ((SeedServer.ROWS + 4) & 0xFF) + "\"")
                .contains("found=\"sequence id " + ((SeedServer.ROWS + 5) & 0xFF) + "\"");
    }

    /** Seed 003: the result's EOF, then the commit's ERR: a packet after the response ended. */
    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"OBSERVE", "ENFORCE"})
    void anErrAfterTheResultEnded(Mode mode) {
        try (RawClient c = client(mode)) {
            assertThat(c.query("SEED 003")).containsExactly(List.of("1"), List.of("2"));
            if (mode == Mode.ENFORCE) {
                assertErrNames(c.read(), 1835, "unsolicited");
            }
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(theReport())
                .contains("direction=from_server rule=unsolicited command=none packet=0 offset=-1 ")
                .contains("found=\"ERROR 1180 (HY000): Got error 1")
                .contains("after the EOF/OK ending COM_QUERY (packet 6)");
    }

    /** Seed 002: the server stalls mid-result; server-read-timeout ends it and the report says where. */
    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"OBSERVE", "ENFORCE"})
    void aWriteThatStallsForeverMidResult(Mode mode) {
        try (RawClient c = client(mode)) {
            c.sendQuery("SEED 002");
            c.read();
            c.read();
            c.read();
            for (int i = 0; i < 10; i++) {
                assertThat(c.read().isErr()).isFalse();
            }
            assertErrNames(c.read(), 1158, "stalled");
        }
        assertThat(theReport())
                .contains("direction=from_server rule=stalled command=COM_QUERY packet=14 offset=-1 ")
                .contains("nothing more after 10 rows (COM_QUERY, response packet 13 relayed last)");
    }

    /**
     * Not seed 002: a statement that is still running when server-read-timeout passes (no byte of its answer yet) is
     * slow, not a protocol violation. The client gets the deadline's ERR, nothing is reported.
     */
    @org.junit.jupiter.api.Test
    void aSlowStatementIsNoViolation() {
        try (RawClient c = client(Mode.ENFORCE)) {
            c.sendQuery("SLOW");
            RawClient.RawPacket answer = c.read();
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.err().message()).doesNotContain("rule");
        }
        assertThat(proxy.violations().total()).isZero();
        assertThat(reports).isEmpty();
    }

    /** A response with no command outstanding (the seed's "response after the server closed" the exchange). */
    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"OBSERVE", "ENFORCE"})
    void aResponseWithNoCommandOutstanding(Mode mode) {
        try (RawClient c = client(mode)) {
            assertThat(c.query("SEED LATE")).isEmpty();
            if (mode == Mode.ENFORCE) {
                assertErrNames(c.read(), 1835, "unsolicited");
            }
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(theReport())
                .contains("direction=from_server rule=unsolicited command=none packet=0 offset=-1 ")
                .contains("after the last packet ending COM_QUERY (packet 1)");
    }
}
