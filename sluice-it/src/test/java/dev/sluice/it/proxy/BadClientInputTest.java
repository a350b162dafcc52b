package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.it.proxy.RawClient.RawPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.proxy.config.Limits;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Input no driver sends, written byte by byte on a plain socket (DESIGN invariant 10): each gets a clear ERR
 * or a closed connection, the offending session either goes on working or is gone (never leaked), and a
 * bystander session through the same Sluice never notices.
 */
class BadClientInputTest {
    private static final int MAX_PACKET = 1 << 20;
    private static final long SEED = 0x5EED_BAD1L;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.t (id INT PRIMARY KEY)",
                    "INSERT INTO test.t VALUES (1), (2), (3)")
            .build();

    static ProxyFixture fixture;
    private Connection bystander;
    private int baseline;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(
                db.sandbox(), ProxyFixture.config(db.sandbox(), false, new Limits(MAX_PACKET, 10_000)));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void openBystander() throws SQLException {
        bystander = fixture.mariadb("");
        assertBystanderWorks();
        baseline = fixture.proxy.sessionCount();
    }

    @AfterEach
    void checkBystanderAndSessions() throws SQLException {
        assertBystanderWorks();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(fixture.proxy.sessionCount()).as("sessions").isEqualTo(baseline));
        // no server connection leaked: each one the server has for app is leased to a live session or idle in
        // Sluice's pool (a bad client's session gives its connection back; pooled ones stay open by design)
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(serverConnections())
                        .as("server connections of user app")
                        .isEqualTo((long) fixture.proxy.openServerConnections("sandbox")));
        bystander.close();
    }

    /** Connections of user app on the server itself (a session leaked by Sluice would hold one). */
    private static long serverConnections() throws SQLException {
        try (Connection root = java.sql.DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:" + db.sandbox().port() + "/",
                        db.sandbox().rootUser(),
                        db.sandbox().rootPassword());
                Statement s = root.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void assertBystanderWorks() throws SQLException {
        try (Statement s = bystander.createStatement();
                ResultSet rs = s.executeQuery("SELECT SUM(id) FROM t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(6);
        }
    }

    private static RawClient login() {
        return RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test");
    }

    private static void assertStillWorks(RawClient client) {
        assertThat(client.query("SELECT 1")).containsExactly(List.of("1"));
        assertThat(client.query("SELECT id FROM t ORDER BY id")).hasSize(3);
    }

    @Test
    void aFramedGarbageHandshakeResponseGetsBadHandshake() {
        try (RawClient client = RawClient.connect(fixture.port())) {
            client.greeting();
            // a packet with the right sequence id whose payload is too short for a HandshakeResponse41
            client.writePacket(1, new byte[] {0x05, (byte) 0xA2, 0x3A});

            RawPacket answer = client.read();
            assertThat(answer.sequenceId()).isEqualTo(2);
            assertThat(answer.err().errorCode()).isEqualTo(1043);
            assertThat(answer.err().message()).startsWith("Bad handshake");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void randomBytesInsteadOfAHandshakeResponseGetAnErrOrAClose() {
        Random random = new Random(SEED);
        for (int round = 0; round < 20; round++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            try (RawClient client = RawClient.connect(fixture.port())) {
                client.greeting();
                client.writeRaw(garbage);
                client.shutdownOutput();
                // whatever the bytes say (a huge length, a wrong sequence id, a truncated packet, a packet
                // that parses), Sluice answers ERR 1043/1045 or closes; it never starts a session on garbage
                try {
                    RawPacket answer = client.read();
                    assertThat(answer.isErr())
                            .as("round %d, seed %d: answer 0x%02x", round, SEED, answer.first())
                            .isTrue();
                    assertThat(answer.err().errorCode())
                            .as("round %d, seed %d: %s", round, SEED, answer.err())
                            .isIn(1043, 1045);
                } catch (java.io.UncheckedIOException closed) {
                    // closed without an answer: allowed
                }
            }
        }
    }

    @Test
    void anHttpRequestInsteadOfAHandshakeResponseIsRefusedQuickly() {
        try (RawClient client = RawClient.connect(fixture.port())) {
            client.greeting();
            long start = System.nanoTime();
            // "GET " read as a packet header: 0x544547 = 5.5 MB (above the 1 MiB maximum) with sequence id 0x20
            // (expected: 1); either refuses it before any payload is awaited
            client.writeRaw("GET / HTTP/1.1\r\nHost: sluice\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            RawPacket answer = client.read();
            assertThat(answer.err().errorCode()).isEqualTo(1043);
            assertThat(answer.err().message()).isEqualTo("Bad handshake: sequence id: got 32 (expected: 1)");
            assertThat(client.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aPacketAboveTheMaximumGetsError1153AtOnceAndTheConnectionCloses() {
        try (RawClient client = login()) {
            long start = System.nanoTime();
            // header declaring 0xFFFFFF bytes (16 MiB - 1 > 1 MiB), then only the first few of them: Sluice must
            // answer from the header alone, neither waiting for nor allocating the rest
            client.writeRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00, 0x03, 'S', 'E', 'L'});

            RawPacket answer = client.read();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            ErrPacket err = answer.err();
            assertThat(err.errorCode()).isEqualTo(1153);
            assertThat(err.sqlState()).isEqualTo("08S01");
            assertThat(err.message()).contains("16777215").contains(String.valueOf(MAX_PACKET));
            assertThat(answer.sequenceId())
                    .as("the ERR answers the packet with sequence id 0")
                    .isEqualTo(1);
            assertThat(client.closedByPeer()).isTrue();
            assertThat(took).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aPacketJustAboveTheMaximumIsRefusedAndOneAtTheMaximumIsNot() {
        try (RawClient client = login()) {
            // SELECT of a string literal filling exactly MAX_PACKET bytes of payload: passes Sluice; the
            // server's max_allowed_packet (16 MiB by default) takes it too
            String head = "SELECT LENGTH('";
            String tail = "')";
            byte[] payload = new byte[MAX_PACKET];
            payload[0] = 0x03;
            byte[] sql = (head + "x".repeat(MAX_PACKET - 1 - head.length() - tail.length()) + tail)
                    .getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(sql, 0, payload, 1, sql.length);
            client.writePacket(0, payload);
            assertThat(client.readTextResult())
                    .containsExactly(List.of(String.valueOf(MAX_PACKET - 1 - head.length() - tail.length())));

            // one byte more, declared in the header (00 00 10 = 1 MiB + 1); the first bytes of the payload follow
            // but not the rest: the refusal comes from the header alone (sending it all would race the close,
            // whose reset can overtake the ERR, as with a server)
            client.writeRaw(new byte[] {0x01, 0x00, 0x10, 0x00, 0x03, 'S', 'E', 'L'});
            RawPacket answer = client.read();
            assertThat(answer.err().errorCode()).isEqualTo(1153);
            assertThat(answer.err().message()).contains(String.valueOf(MAX_PACKET + 1));
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void anUnknownCommandByteGetsError1047AndTheSessionGoesOn() {
        try (RawClient client = login()) {
            client.writePacket(0, new byte[] {0x60, 1, 2, 3});

            RawPacket answer = client.read();
            assertThat(answer.sequenceId()).isEqualTo(1);
            assertThat(answer.err().errorCode()).isEqualTo(1047);
            assertThat(answer.err().message()).contains("0x60");
            assertStillWorks(client);
        }
    }

    @Test
    void anEmptyCommandPacketGetsAnErrAndTheSessionGoesOn() {
        try (RawClient client = login()) {
            client.writePacket(0, new byte[0]);

            RawPacket answer = client.read();
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.err().errorCode()).isEqualTo(1835);
            assertStillWorks(client);
        }
    }

    @Test
    void executingAStatementIdThatDoesNotExistRelaysTheServersError1243() {
        try (RawClient client = login()) {
            // COM_STMT_EXECUTE: 0x17, statement id int<4>, flags int<1>, iteration count int<4> = 1
            client.writePacket(0, new byte[] {0x17, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, 0x00, 1, 0, 0, 0});

            RawPacket answer = client.read();
            assertThat(answer.sequenceId()).isEqualTo(1);
            assertThat(answer.err().errorCode()).isEqualTo(1243);
            assertThat(answer.err().message()).contains("(2147483632)").contains("mysqld_stmt_execute");
            assertStillWorks(client);
        }
    }

    @Test
    void aTruncatedStatementExecuteGetsAnErrAndTheSessionGoesOnOrCloses() {
        try (RawClient client = login()) {
            // COM_STMT_PREPARE "SELECT ? + 1": OK with a statement id, then 1 parameter and 1 column definition
            client.writePacket(0, "\u0016SELECT ? + 1".getBytes(StandardCharsets.US_ASCII));
            RawPacket prepared = client.read();
            assertThat(prepared.first()).isZero();
            byte[] id = {prepared.payload()[1], prepared.payload()[2], prepared.payload()[3], prepared.payload()[4]};
            for (int i = 0; i < 2; i++) {
                client.read(); // definition
                assertThat(client.read().isEof()).isTrue();
            }

            // statement id and flags, then the packet ends: no iteration count, no NULL bitmap, no parameter
            client.writePacket(0, new byte[] {0x17, id[0], id[1], id[2], id[3], 0x00});

            RawPacket answer = client.read();
            assertThat(answer.isErr()).as("answer 0x%02x", answer.first()).isTrue();
            assertThat(answer.err().errorCode()).isIn(1210, 1835);
            assertStillWorks(client);
        }
    }

    @Test
    void aStatementExecuteCutInsideItsStatementIdIsAnErr() {
        try (RawClient client = login()) {
            client.writePacket(0, new byte[] {0x17, 0x01});

            RawPacket answer = client.read();
            assertThat(answer.isErr()).as("answer 0x%02x", answer.first()).isTrue();
            assertStillWorks(client);
        }
    }

    @Test
    void halfAPacketHeaderThenCloseEndsTheSession() {
        RawClient client = login();
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.proxy.sessionCount() == baseline + 1);
        client.writeRaw(new byte[] {0x05, 0x00});
        client.close();
        // checkBystanderAndSessions: the count returns to the baseline
    }

    @Test
    void halfAPacketHeaderDuringTheHandshakeThenClose() {
        try (RawClient client = RawClient.connect(fixture.port())) {
            HandshakeV10 greeting = client.greeting();
            assertThat(greeting.serverVersion()).contains("MariaDB");
            client.writeRaw(new byte[] {0x40});
            client.shutdownOutput();
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void halfAPayloadThenCloseEndsTheSession() {
        RawClient client = login();
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.proxy.sessionCount() == baseline + 1);
        client.writeRaw(new byte[] {0x20, 0x00, 0x00, 0x00, 0x03, 'S', 'E'});
        client.close();
    }
}
