package dev.sluice.it.proxy;

import static dev.sluice.it.Payloads.hex;
import static dev.sluice.it.Payloads.pattern;
import static dev.sluice.it.Payloads.patternSelect;
import static dev.sluice.it.Payloads.payloadLength;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Payloads of 16 MiB and more in both directions through Sluice, sent and read by the codec client: Sluice
 * joins the client's 0xFFFFFF-byte packets and splits them again towards the server (and back), including
 * the empty packet that ends a payload of an exact multiple of 0xFFFFFF. Values are checked against the
 * server's own SHA2 and read back byte for byte. Row tests run with the client asking for CLIENT_DEPRECATE_EOF
 * (as the server does: no translation) and without (Sluice adds EOF packets, so it must tell a 16 MiB text
 * row starting with 0xFE from a terminator). Sizes are worked out as in {@link dev.sluice.it.LargePacketTest}.
 */
class LargePacketProxyTest {
    private static final int CHUNK = 0xFFFFFF;
    private static final int TWENTY_MIB = 20 << 20;
    private static final long SEED = 20_260_401L;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("max_allowed_packet", "64M")
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE big", "CREATE TABLE big.blobs (id INT PRIMARY KEY, b LONGBLOB)")
            .build();

    static ProxyFixture fixture;
    static EventLoopGroup group;
    static ServerConnector connector;
    static byte[] twenty;
    private ServerConnection connection;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), false, 0);
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
        twenty = new byte[TWENTY_MIB];
        new Random(SEED).nextBytes(twenty);
    }

    @AfterAll
    static void stop() {
        try {
            fixture.assertNoProtocolViolations(); // real traffic: no false positive of the validator
        } finally {
            fixture.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void disconnect() {
        if (connection != null) {
            connection.close();
        }
    }

    private ServerConnection throughSluice(boolean deprecateEof) {
        connection = ServerConnection.await(connector.connect(ConnectOptions.builder("127.0.0.1", fixture.port())
                .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
                .database("big")
                .tls(TlsMode.DISABLED)
                .deprecateEof(deprecateEof)
                .connectTimeout(Duration.ofSeconds(10))
                .build()));
        connection.querySync("DELETE FROM blobs");
        return connection;
    }

    @Test
    void aTwentyMibValueInsertedByA40MibStatementMatchesTheServersSha2AndReadsBack() {
        ServerConnection c = throughSluice(true);
        String sql = "INSERT INTO blobs VALUES (1, x'" + HexFormat.of().formatHex(twenty) + "')";
        assertThat(sql.length()).isGreaterThan(2 * CHUNK); // three physical packets

        assertThat(c.querySync(sql).ok().affectedRows()).isEqualTo(1);

        assertStoredAndReadable(c, 1, twenty);
    }

    @Test
    void aTwentyMibPreparedStatementParameterMatchesTheServersSha2AndReadsBack() {
        ServerConnection c = throughSluice(true);
        PreparedStatement insert = c.prepareSync("INSERT INTO blobs VALUES (?, ?)");
        long affected = c.executeSync(
                        insert,
                        List.of(
                                BoundParameter.of(BinaryType.of(ColumnType.LONG), 2L),
                                BoundParameter.of(BinaryType.of(ColumnType.LONG_BLOB), twenty)))
                .ok()
                .affectedRows();

        assertThat(affected).isEqualTo(1);
        assertStoredAndReadable(c, 2, twenty);
    }

    private static void assertStoredAndReadable(ServerConnection c, int id, byte[] expected) {
        String where = " FROM blobs WHERE id = " + id;
        List<Object> digests = c.querySync("SELECT LENGTH(b), SHA2(b, 256)" + where)
                .resultSet()
                .rows()
                .get(0);
        assertThat(digests.get(0)).isEqualTo((long) expected.length);
        assertThat(new String((byte[]) digests.get(1), StandardCharsets.US_ASCII))
                .as("server SHA2 of the stored value (seed %d)", SEED)
                .isEqualTo(hex("SHA-256", expected));

        assertSameBytes(
                "text row",
                (byte[]) c.querySync("SELECT b" + where)
                        .resultSet()
                        .rows()
                        .get(0)
                        .get(0),
                expected);
        PreparedStatement select = c.prepareSync("SELECT b" + where);
        assertSameBytes(
                "binary row",
                (byte[]) c.executeSync(select, List.of())
                        .resultSet()
                        .rows()
                        .get(0)
                        .get(0),
                expected);
    }

    /** One text column: L + 4 bytes of payload below 2^24 (0xFD + int3), L + 9 from there (0xFE + int8). */
    @ParameterizedTest(name = "payload {0}, deprecateEof {1}")
    @CsvSource({
        "16777214, true",
        "16777215, true",
        "16777216, true",
        "33554430, true",
        "16777215, false",
        "16777216, false",
        "33554430, false"
    })
    void textRowsOnAndAroundThePacketBoundary(int payload, boolean deprecateEof) {
        ServerConnection c = throughSluice(deprecateEof);
        int length = payload - (payload - 4 < (1 << 24) ? 4 : 9);

        List<List<Object>> rows = c.querySync(patternSelect(length) + " UNION ALL SELECT 'after'")
                .resultSet()
                .rows();

        assertThat(rows).hasSize(2);
        assertSameBytes("text row payload " + payload, (byte[]) rows.get(0).get(0), pattern(length));
        assertThat(new String((byte[]) rows.get(1).get(0), StandardCharsets.US_ASCII))
                .isEqualTo("after");
        assertThat(c.querySync("SELECT 1").resultSet().rows())
                .as("the session after it")
                .hasSize(1);
    }

    /** One binary column: header 0x00, a 1-byte NULL bitmap, then the length-encoded value: L + 6, L + 11. */
    @ParameterizedTest(name = "payload {0}, deprecateEof {1}")
    @CsvSource({"16777215, true", "33554430, true", "16777215, false", "33554430, false"})
    void binaryRowsOnThePacketBoundary(int payload, boolean deprecateEof) {
        ServerConnection c = throughSluice(deprecateEof);
        int length = payload - (payload - 6 < (1 << 24) ? 6 : 11);
        PreparedStatement select = c.prepareSync(patternSelect(length));

        byte[] value = (byte[])
                c.executeSync(select, List.of()).resultSet().rows().get(0).get(0);

        assertSameBytes("binary row payload " + payload, value, pattern(length));
    }

    /** COM_QUERY payloads of exactly 0xFFFFFF and 2 * 0xFFFFFF bytes: an empty packet follows the last chunk. */
    @ParameterizedTest(name = "payload {0}")
    @CsvSource({"16777215", "33554430"})
    void statementsOnThePacketBoundary(int payload) {
        ServerConnection c = throughSluice(true);
        String head = "SELECT MD5('";
        String tail = "')";
        byte[] text = pattern(payload - 1 - head.length() - tail.length()); // 1: the command byte
        String sql = head + new String(text, StandardCharsets.US_ASCII) + tail;
        assertThat(payloadLength(ComQuery.of(sql))).isEqualTo(payload);

        List<Object> row = c.querySync(sql).resultSet().rows().get(0);

        assertThat(new String((byte[]) row.get(0), StandardCharsets.US_ASCII)).isEqualTo(hex("MD5", text));
        assertThat(c.querySync("SELECT 1").resultSet().rows())
                .as("the session after it")
                .hasSize(1);
    }

    /** COM_STMT_EXECUTE of exactly 0xFFFFFF bytes: 18 bytes of header and parameter metadata, then the value. */
    @Test
    void aPreparedStatementExecutionOfExactlyOnePacketLength() {
        ServerConnection c = throughSluice(true);
        byte[] value = pattern(CHUNK - 18);
        PreparedStatement insert = c.prepareSync("INSERT INTO blobs VALUES (3, ?)");
        List<BoundParameter> params = List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG_BLOB), value));
        assertThat(payloadLength(ComStmtExecute.of(insert.statementId(), params)))
                .isEqualTo(CHUNK);

        assertThat(c.executeSync(insert, params).ok().affectedRows()).isEqualTo(1);

        assertStoredAndReadable(c, 3, value);
    }

    /**
     * The same execution on a connection that does not have the statement: Sluice prepares it there in the same write
     * as the execution (MariaDB: the execution names "the statement prepared last"), so the prepare's answer comes
     * first, from id 1, and the execution's answer after the two packets the execution took (ids 0 and 1): from id 2.
     */
    @Test
    void aPreparedStatementExecutionOfExactlyOnePacketLengthPreparedAgainOnAnotherConnection() {
        ServerConnection c = throughSluice(true);
        byte[] value = pattern(CHUNK - 18);
        PreparedStatement insert = c.prepareSync("INSERT INTO blobs VALUES (4, ?)");
        List<BoundParameter> params = List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG_BLOB), value));
        killSluicesServerConnections(); // the statement's connection goes: the execution takes a new one

        assertThat(c.executeSync(insert, params).ok().affectedRows()).isEqualTo(1);

        assertStoredAndReadable(c, 4, value);
    }

    /** Kills every server connection of Sluice's (idle between statements) and waits until Sluice saw them close. */
    private static void killSluicesServerConnections() {
        ServerConnection root = ServerConnection.await(connector.connect(
                ConnectOptions.builder(db.sandbox().host(), db.sandbox().port())
                        .user("root", db.sandbox().rootPassword())
                        .tls(TlsMode.DISABLED)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build()));
        try {
            List<List<Object>> ids = root.querySync(
                            "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + ProxyFixture.USER + "'")
                    .resultSet()
                    .rows();
            assertThat(ids).as("Sluice's server connections").isNotEmpty();
            for (List<Object> id : ids) {
                root.querySync("KILL " + id.get(0));
            }
        } finally {
            root.close();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fixture.proxy.openServerConnections(ProxyFixture.SERVER) == 0);
    }

    private static void assertSameBytes(String what, byte[] actual, byte[] expected) {
        assertThat(actual.length).as(what + ": length").isEqualTo(expected.length);
        assertThat(Arrays.mismatch(actual, expected))
                .as(what + ": first differing byte (seed " + SEED + ")")
                .isEqualTo(-1);
    }
}
