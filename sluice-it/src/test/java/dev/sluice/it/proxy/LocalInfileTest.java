package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.proxy.RawClient.RawPacket;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * LOAD DATA LOCAL INFILE through Sluice: refused with a clear ERR while disabled (the client is never asked for
 * the file), relayed when enabled (also a file above 16 MiB, so the client's data spans packets of the maximum
 * size), and a hostile server asking for a file no statement named gets an empty file from Sluice while the
 * client gets an ERR: no byte of any file leaves.
 */
class LocalInfileTest {
    private static final String LOAD = "LOAD DATA LOCAL INFILE '%s' INTO TABLE li CHARACTER SET utf8mb4"
            + " FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (id, v)";
    private static final String DISABLED = "sluice: LOAD DATA LOCAL INFILE is disabled";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("local_infile", "ON")
            .option("max_allowed_packet", "64M")
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.li (id INT PRIMARY KEY, v VARCHAR(255)) DEFAULT CHARSET utf8mb4")
            .build();

    static ProxyFixture disabled;
    static ProxyFixture enabled;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        disabled = new ProxyFixture(db.sandbox(), false, 0);
        enabled = new ProxyFixture(db.sandbox(), true, 0);
    }

    @AfterAll
    static void stop() {
        disabled.close();
        enabled.close();
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        try (Connection c = disabled.direct("mariadb", "");
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM li");
        }
    }

    // ---- disabled (the default) ---------------------------------------------------------------------------

    @Test
    void disabledMariadbConnectorGetsSluicesErrAndItsStreamIsNeverRead() throws Exception {
        CountingStream stream = new CountingStream("1\tnever\n");
        try (Connection c = disabled.mariadb("allowLocalInfile=true");
                Statement s = c.createStatement()) {
            s.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(stream);

            assertThatThrownBy(() -> s.execute(String.format(LOAD, "data.tsv")))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1148);
                        assertThat(e.getSQLState()).isEqualTo("42000");
                        assertThat(e.getMessage()).contains(DISABLED);
                    });
            assertThat(stream.reads.get()).as("reads of the client's file").isZero();
            assertThat(count(s)).isZero();
        }
    }

    @Test
    void disabledMysqlConnectorGetsSluicesErrAndItsStreamIsNeverRead() throws Exception {
        CountingStream stream = new CountingStream("1\tnever\n");
        try (Connection c = disabled.mysql("allowLoadLocalInfile=true");
                Statement s = c.createStatement()) {
            s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).setLocalInfileInputStream(stream);

            assertThatThrownBy(() -> s.execute(String.format(LOAD, "data.tsv")))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1148);
                        assertThat(e.getMessage()).contains(DISABLED);
                    });
            assertThat(stream.reads.get()).isZero();
            assertThat(count(s)).isZero();
        }
    }

    /**
     * The file is a named pipe nobody writes to: a client asked for it would block opening it and the run would
     * miss its deadline. It ends at once with Sluice's ERR.
     */
    @Test
    void disabledCliGetsSluicesErrAndNeverOpensTheFile() throws Exception {
        Path fifo = dir.resolve("never-opened.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        ProgramRun run = ProgramRun.run(
                List.of(
                        "mariadb",
                        "--no-defaults",
                        "--local-infile=1",
                        "-h127.0.0.1",
                        "-P" + disabled.port(),
                        "-uapp",
                        "-psecret",
                        "-e",
                        String.format(LOAD, fifo),
                        "test"),
                Duration.ofSeconds(20));

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.stderr()).as(run.describe()).contains("ERROR 1148 (42000) at line 1: " + DISABLED);
    }

    // ---- enabled ------------------------------------------------------------------------------------------

    @Test
    void enabledRowsArriveThroughBothDriversAndTheCli() throws Exception {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            values.add("row " + i + " ünïcødé ✓ " + "x".repeat(i % 97));
        }
        Path file = write("small.tsv", values);
        String load = String.format(LOAD, file);

        try (Connection c = enabled.mariadb("allowLocalInfile=true");
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(load)).isEqualTo(values.size());
            assertThat(readBack(s)).isEqualTo(values);
            s.execute("DELETE FROM li");
        }
        try (Connection c = enabled.mysql("allowLoadLocalInfile=true");
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(load)).isEqualTo(values.size());
            assertThat(readBack(s)).isEqualTo(values);
            s.execute("DELETE FROM li");
        }
        ProgramRun run = ProgramRun.run(
                List.of(
                        "mariadb",
                        "--no-defaults",
                        "--local-infile=1",
                        "-h127.0.0.1",
                        "-P" + enabled.port(),
                        "-uapp",
                        "-psecret",
                        "-e",
                        load,
                        "test"),
                Duration.ofSeconds(30));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        try (Connection c = enabled.direct("mariadb", "");
                Statement s = c.createStatement()) {
            assertThat(readBack(s)).isEqualTo(values);
        }
    }

    @Test
    void enabledAFileAboveSixteenMibArrivesWhole() throws Exception {
        List<String> values = new ArrayList<>();
        long crcSum = 0;
        long bytes = 0;
        String filler = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (int i = 0; i < 200_000; i++) {
            String v = i + ":" + filler + filler.substring(i % filler.length()) + "é";
            values.add(v);
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(utf8);
            crcSum += crc.getValue();
            bytes += utf8.length;
        }
        Path file = write("big.tsv", values);
        assertThat(Files.size(file)).isGreaterThan(20L << 20); // the client's data spans 16 MiB packets

        try (Connection c = enabled.mariadb("allowLocalInfile=true");
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(String.format(LOAD, file))).isEqualTo(values.size());
        }
        try (Connection c = enabled.direct("mariadb", "");
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT COUNT(*), SUM(LENGTH(v)), SUM(CRC32(v)), MIN(id), MAX(id) FROM li")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(values.size());
            assertThat(rs.getLong(2)).as("bytes").isEqualTo(bytes);
            assertThat(rs.getLong(3)).as("sum of CRC32 per value").isEqualTo(crcSum);
            assertThat(rs.getLong(4)).isZero();
            assertThat(rs.getLong(5)).isEqualTo(values.size() - 1);
        }
    }

    // ---- a hostile server ---------------------------------------------------------------------------------

    @Test
    void aServerAskingForAFileNobodyNamedGetsAnEmptyPacketAndTheClientAnErr() {
        try (LocalInfileFakeServer fake = new LocalInfileFakeServer("/etc/passwd")) {
            ProxyServer proxy = ProxyServer.start(ProxyFixture.withMode(
                    new ProxyConfig(
                            List.of(new ListenerConfig("127.0.0.1", 0)),
                            List.of(new ServerConfig("hostile", "127.0.0.1", fake.port(), TlsMode.DISABLED)),
                            List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD)),
                            ClientTlsConfig.selfSigned(),
                            Timeouts.defaults(),
                            Limits.defaults(),
                            true), // relaying enabled: the guard alone stands between the server and the file
                    PoolMode.SESSION)); // the scripted server answers a plain set-up, not the session trackers'
            try (RawClient client = RawClient.login(
                    proxy.addresses().get(0).getPort(),
                    ProxyFixture.USER,
                    ProxyFixture.PASSWORD,
                    null,
                    RawClient.CAPABILITIES | Capability.CLIENT_LOCAL_FILES)) {
                // a client that can send files (CLIENT_LOCAL_FILES) and asked for none
                client.sendQuery("SELECT 1");
                RawPacket answer = client.read();
                assertRefused(answer);

                // a client that named one file, and a server asking for another
                client.sendQuery("LOAD DATA LOCAL INFILE '/tmp/innocent.tsv' INTO TABLE li");
                assertRefused(client.read());

                // COM_PING: the session is in step with the server after both refusals
                client.writePacket(0, new byte[] {0x0E});
                RawPacket pong = client.read();
                assertThat(pong.first()).isZero();
                assertThat(pong.sequenceId()).isEqualTo(1);
            } finally {
                proxy.close();
            }

            // Sluice's pool first asks the server's wait_timeout, max_connections and max_prepared_stmt_count on the
            // new connection (the fake answers that with its file request too, and Sluice's own client answers with
            // an empty packet); then the client's part:
            byte[] expected = concat(
                    comQuery("SELECT @@wait_timeout, @@max_connections, @@max_prepared_stmt_count"),
                    EMPTY_PACKET_2,
                    comQuery("SELECT 1"),
                    EMPTY_PACKET_2,
                    comQuery("LOAD DATA LOCAL INFILE '/tmp/innocent.tsv' INTO TABLE li"),
                    EMPTY_PACKET_2,
                    new byte[] {0x01, 0x00, 0x00, 0x00, 0x0E});
            String passwdLine = HexFormat.of().formatHex("root:".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<byte[]> seen = fake.commandPhaseBytes();
                assertThat(seen).hasSize(1);
                // each COM_QUERY, then the empty packet (length 0, sequence id 2) Sluice answered the 0xFB
                // request with; then the ping; after it only the pool's reset of the returned connection
                // (COM_RESET_CONNECTION, SET NAMES, ...), which the fake answers with file requests too
                String hex = HexFormat.of().formatHex(seen.get(0));
                assertThat(hex).startsWith(HexFormat.of().formatHex(expected));
                assertThat(hex).as("no file content ever reached the server").doesNotContain(passwdLine);
            });
        }
    }

    private static final byte[] EMPTY_PACKET_2 = {0x00, 0x00, 0x00, 0x02};

    private static void assertRefused(RawPacket answer) {
        assertThat(answer.isErr()).as("answer 0x%02x", answer.first()).isTrue();
        assertThat(answer.sequenceId()).isEqualTo(1);
        ErrPacket err = answer.err();
        assertThat(err.errorCode()).isEqualTo(1148);
        assertThat(err.message()).contains("'/etc/passwd'").contains("refused").contains("no file was sent");
    }

    private static byte[] comQuery(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] packet = new byte[5 + text.length];
        packet[0] = (byte) (text.length + 1);
        packet[3] = 0; // sequence id
        packet[4] = 0x03; // COM_QUERY
        System.arraycopy(text, 0, packet, 5, text.length);
        return packet;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static Path write(String name, List<String> values) throws IOException {
        Path file = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < values.size(); i++) {
                w.write(i + "\t" + values.get(i) + "\n");
            }
        }
        return file;
    }

    private static List<String> readBack(Statement s) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT id, v FROM li ORDER BY id")) {
            while (rs.next()) {
                assertThat(rs.getInt(1)).isEqualTo(values.size());
                values.add(rs.getString(2));
            }
        }
        return values;
    }

    private static long count(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM li")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A client-side "file" that counts how often it is read. */
    private static final class CountingStream extends InputStream {
        final AtomicInteger reads = new AtomicInteger();
        private final byte[] data;
        private int at;

        CountingStream(String content) {
            data = content.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public int read() {
            reads.incrementAndGet();
            return at < data.length ? data[at++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads.incrementAndGet();
            if (at >= data.length) {
                return -1;
            }
            int n = Math.min(len, data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }
}
