package dev.sluice.it;

import static dev.sluice.it.Payloads.hex;
import static dev.sluice.it.Payloads.pattern;
import static dev.sluice.it.Payloads.patternSelect;
import static dev.sluice.it.Payloads.payloadLength;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Payloads of 16 MiB and more through the codec client against a real server: they are split into
 * 0xFFFFFF-byte packets and, when the length is an exact multiple of 0xFFFFFF, end with an empty packet
 * (DESIGN invariant 1). Rows and statements are sized by the byte so that their payloads land exactly on
 * those boundaries; each size's payload layout is worked out next to it.
 */
class LargePacketTest {
    private static final int CHUNK = 0xFFFFFF;
    private static final int TWENTY_MIB = 20 << 20;
    private static final long SEED = 20_240_229L;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("max_allowed_packet", "64M")
            .initSql("CREATE DATABASE big", "CREATE TABLE big.blobs (id INT PRIMARY KEY, b LONGBLOB)")
            .build();

    private static CodecClient codec;
    private static byte[] twenty;
    private ServerConnection connection;

    @BeforeAll
    static void start() {
        codec = new CodecClient();
        twenty = new byte[TWENTY_MIB];
        new Random(SEED).nextBytes(twenty);
    }

    @AfterAll
    static void stop() {
        codec.close();
    }

    @BeforeEach
    void connect() {
        connection = codec.connect(db.sandbox(), b -> b.database("big"));
        connection.querySync("DELETE FROM blobs");
    }

    @AfterEach
    void disconnect() {
        connection.close();
    }

    @Test
    void aTwentyMibBlobInsertedByA40MibStatementReadsBackIdenticallyOverTextAndBinary() {
        String sql = "INSERT INTO blobs VALUES (1, x'" + HexFormat.of().formatHex(twenty) + "')";
        assertThat(sql.length()).isGreaterThan(2 * CHUNK); // three physical packets

        OkPacket ok = connection.querySync(sql).ok();

        assertThat(ok.affectedRows()).isEqualTo(1);
        assertStoredAndReadable(1, twenty);
    }

    @Test
    void aTwentyMibBlobBoundAsAPreparedStatementParameterReadsBackIdentically() {
        PreparedStatement insert = connection.prepareSync("INSERT INTO blobs VALUES (?, ?)");
        OkPacket ok = connection
                .executeSync(
                        insert,
                        List.of(
                                BoundParameter.of(BinaryType.of(ColumnType.LONG), 2L),
                                BoundParameter.of(BinaryType.of(ColumnType.LONG_BLOB), twenty)))
                .ok();

        assertThat(ok.affectedRows()).isEqualTo(1);
        assertStoredAndReadable(2, twenty);
    }

    private void assertStoredAndReadable(int id, byte[] expected) {
        String where = " FROM blobs WHERE id = " + id;
        List<Object> digests = connection
                .querySync("SELECT LENGTH(b), SHA2(b, 256), MD5(b)" + where)
                .resultSet()
                .rows()
                .get(0);
        assertThat(digests.get(0)).isEqualTo((long) expected.length);
        assertThat(new String((byte[]) digests.get(1), StandardCharsets.US_ASCII))
                .as("server SHA2 of the stored column (seed %d)", SEED)
                .isEqualTo(hex("SHA-256", expected));
        assertThat(new String((byte[]) digests.get(2), StandardCharsets.US_ASCII))
                .isEqualTo(hex("MD5", expected));

        byte[] text = (byte[]) connection
                .querySync("SELECT b" + where)
                .resultSet()
                .rows()
                .get(0)
                .get(0);
        assertSameBytes("text row", text, expected);
        PreparedStatement select = connection.prepareSync("SELECT b" + where);
        byte[] binary = (byte[]) connection
                .executeSync(select, List.of())
                .resultSet()
                .rows()
                .get(0)
                .get(0);
        assertSameBytes("binary row", binary, expected);
    }

    /**
     * A text row of one column is a length-encoded string: 0xFD + int3 below 2^24 bytes, 0xFE + int8 from
     * there. So value lengths L give payloads L + 4 (0xFFFFFE, 0xFFFFFF, 0x1000000 around the first boundary)
     * and L + 9 (2 * 0xFFFFFF, the second). A text row then starts with 0xFE in a packet of 16 MiB and more,
     * which the client must not take for an EOF/OK.
     */
    @ParameterizedTest(name = "payload {0}")
    @ValueSource(ints = {CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK})
    void textRowsOnAndAroundThePacketBoundary(int payload) {
        int length = payload - (payload - 4 < (1 << 24) ? 4 : 9);
        byte[] rows = (byte[]) connection
                .querySync(patternSelect(length))
                .resultSet()
                .rows()
                .get(0)
                .get(0);
        assertSameBytes("text row payload " + payload, rows, pattern(length));
    }

    /**
     * A binary row of one column: header 0x00, a 1-byte NULL bitmap ((1 + 7 + 2) / 8), then the length-encoded
     * value, so L + 6 below 2^24 and L + 11 above.
     */
    @ParameterizedTest(name = "payload {0}")
    @ValueSource(ints = {CHUNK, 2 * CHUNK})
    void binaryRowsOnThePacketBoundary(int payload) {
        int length = payload - (payload - 6 < (1 << 24) ? 6 : 11);
        PreparedStatement select = connection.prepareSync(patternSelect(length));
        byte[] value = (byte[]) connection
                .executeSync(select, List.of())
                .resultSet()
                .rows()
                .get(0)
                .get(0);
        assertSameBytes("binary row payload " + payload, value, pattern(length));
    }

    /** COM_QUERY payloads of exactly 0xFFFFFF and 2 * 0xFFFFFF bytes: the client sends an empty packet after. */
    @ParameterizedTest(name = "payload {0}")
    @ValueSource(ints = {CHUNK, 2 * CHUNK})
    void statementsOnThePacketBoundary(int payload) {
        String head = "SELECT MD5('";
        String tail = "')";
        int filler = payload - 1 - head.length() - tail.length(); // 1: the command byte
        byte[] text = pattern(filler);
        String sql = head + new String(text, StandardCharsets.US_ASCII) + tail;
        assertThat(payloadLength(ComQuery.of(sql))).isEqualTo(payload);

        List<Object> row = connection.querySync(sql).resultSet().rows().get(0);

        assertThat(new String((byte[]) row.get(0), StandardCharsets.US_ASCII)).isEqualTo(hex("MD5", text));
    }

    /**
     * COM_STMT_EXECUTE of exactly 0xFFFFFF bytes: command 1, statement id 4, flags 1, iteration count 4,
     * NULL bitmap 1, new-params-bound 1, type 2, then the value as 0xFD + int3 + L.
     */
    @Test
    void aPreparedStatementExecutionOfExactlyOnePacketLength() {
        int length = CHUNK - 18;
        byte[] value = pattern(length);
        PreparedStatement insert = connection.prepareSync("INSERT INTO blobs VALUES (3, ?)");
        List<BoundParameter> params = List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG_BLOB), value));
        assertThat(payloadLength(ComStmtExecute.of(insert.statementId(), params)))
                .isEqualTo(CHUNK);

        assertThat(connection.executeSync(insert, params).ok().affectedRows()).isEqualTo(1);

        assertStoredAndReadable(3, value);
    }

    private static void assertSameBytes(String what, byte[] actual, byte[] expected) {
        assertThat(actual.length).as(what + ": length").isEqualTo(expected.length);
        int mismatch = java.util.Arrays.mismatch(actual, expected);
        assertThat(mismatch)
                .as(what + ": first differing byte (seed " + SEED + ")")
                .isEqualTo(-1);
    }
}
