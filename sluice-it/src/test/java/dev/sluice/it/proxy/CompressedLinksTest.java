package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.compress.Compression;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComResetConnection;
import dev.sluice.proxy.config.CompressionConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compressed protocol through Sluice, each side negotiated on its own: clients that ask for it (both Java drivers
 * with useCompression=true, the {@code mariadb} CLI with --compress: zlib; Sluice's own client: zstd) over a server
 * link Sluice compresses with zlib ({@code compression.servers: zlib}). Many small rows, prepared statements (binary
 * rows), a row over 16 MiB and a command over 16 MiB must arrive as they do from the server directly, and each link
 * must really be compressed (the server's Compression status for Sluice's link, Sluice's log for the client's).
 */
class CompressedLinksTest {
    private static final int ROWS = 100_000;
    /** Over 16 MiB: one logical packet of several physical ones, carried by several compressed packets. */
    private static final int BIG = (16 << 20) + 1000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .option("max_allowed_packet", "64M")
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.big (id INT PRIMARY KEY, s CHAR(32), d DECIMAL(12,3), n INT NULL)",
                    "INSERT INTO test.big SELECT seq, MD5(seq), seq / 7, IF(seq % 3 = 0, NULL, seq) FROM"
                            + " test.seq_1_to_" + ROWS,
                    "CREATE TABLE test.blobs (id INT PRIMARY KEY, b LONGBLOB)")
            .build();

    static ProxyFixture fixture;
    static ProxyLog log;

    @BeforeAll
    static void start() {
        log = new ProxyLog();
        fixture = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false)
                        .withCompression(new CompressionConfig(true, Compression.ZLIB, 0)));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        log.close();
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    /** Every row of big as one text, read with {@code c}; and the server link's Compression status. */
    private static String readAll(Connection c, boolean prepared) throws Exception {
        StringBuilder all = new StringBuilder(ROWS * 64);
        String sql = "SELECT id, s, d, n FROM big WHERE id > ? ORDER BY id";
        try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, 0);
            try (ResultSet rs =
                    prepared ? ps.executeQuery() : c.createStatement().executeQuery(sql.replace("?", "0"))) {
                while (rs.next()) {
                    all.append(rs.getInt(1)).append(',').append(rs.getString(2)).append(',');
                    all.append(rs.getBigDecimal(3))
                            .append(',')
                            .append(rs.getObject(4))
                            .append('\n');
                }
            }
        }
        return all.toString();
    }

    private static String status(Connection c, String name) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + name + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(2);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "CONNECTOR_J, useCompression=true&useServerPrepStmts=false",
        "CONNECTOR_J, useCompression=true&useServerPrepStmts=true",
        "MARIADB, useCompression=true&useServerPrepStmts=false",
        "MARIADB, useCompression=true&useServerPrepStmts=true",
    })
    void driversWithCompressionReadWhatTheServerSends(Driver driver, String params) throws Exception {
        String expectedText;
        String expectedPrepared;
        try (Connection direct = driver.direct(fixture, params)) {
            assertThat(status(direct, "Compression")).isEqualTo("ON");
            expectedText = readAll(direct, false);
            expectedPrepared = readAll(direct, true);
        }
        try (Connection c = driver.viaSluice(fixture, params)) {
            // the server link Sluice opened for this session compresses (Sluice's own choice: servers: zlib)
            assertThat(status(c, "Compression")).isEqualTo("ON");
            assertThat(readAll(c, false)).isEqualTo(expectedText);
            assertThat(readAll(c, true)).isEqualTo(expectedPrepared);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT REPEAT('sluice', " + BIG / 6 + "), MD5(REPEAT('sluice', " + BIG / 6 + "))")) {
                assertThat(rs.next()).isTrue();
                byte[] value = rs.getBytes(1);
                assertThat(value).hasSize(BIG / 6 * 6);
                assertThat(md5(value)).isEqualTo(rs.getString(2));
            }
        }
        assertThat(log.lines()).anyMatch(l -> l.contains("user app") && l.contains("compression=zlib"));
    }

    @Test
    void eachSideIsNegotiatedOnItsOwn() throws Exception {
        String expected;
        try (Connection direct = Driver.MARIADB.direct(fixture, "")) {
            expected = readAll(direct, true);
        }
        // an uncompressed client over the compressed server link
        try (Connection c = Driver.MARIADB.viaSluice(fixture, "useServerPrepStmts=true")) {
            assertThat(status(c, "Compression")).isEqualTo("ON");
            assertThat(readAll(c, true)).isEqualTo(expected);
        }
        // a compressed client, over TLS, over an uncompressed server link (compression.servers: off, the default)
        try (ProxyFixture plain = new ProxyFixture(
                        db.sandbox(),
                        ProxyFixture.config(db.sandbox(), false, dev.sluice.proxy.config.Limits.defaults()));
                Connection c = Driver.MARIADB.connect(
                        plain.port(),
                        "useCompression=true&useServerPrepStmts=true&sslMode=trust",
                        ProxyFixture.USER,
                        ProxyFixture.PASSWORD)) {
            assertThat(status(c, "Compression")).isEqualTo("OFF");
            assertThat(readAll(c, true)).isEqualTo(expected);
            String session = "session " + connectionId(c) + ":";
            assertThat(log.lines())
                    .anyMatch(l -> l.contains(session) && l.contains("tls=yes") && l.contains("compression=zlib"));
        }
    }

    private static long connectionId(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1, CONNECTOR_J", "2, MARIADB"})
    void aCommandOver16MiBGoesThroughBothCompressedLinks(int id, Driver driver) throws Exception {
        // random letters: compressible. Both drivers (MariaDB Connector/J 3.5.11 also straight to the server) fail on
        // over 16 MiB of incompressible bytes with useCompression: deflated, 16 MiB - 1 bytes grow past what the
        // 3-byte length of a compressed packet can say
        byte[] data = new byte[BIG];
        java.util.Random random = new java.util.Random(id);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + random.nextInt(16));
        }
        try (Connection c = driver.viaSluice(fixture, "useCompression=true&useServerPrepStmts=true")) {
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO blobs VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, data);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT MD5(b), b FROM blobs WHERE id = " + id)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(md5(data));
                assertThat(rs.getBytes(2)).isEqualTo(data);
            }
        }
    }

    @Test
    void mariadbCliWithCompressPrintsWhatTheServerPrintsDirectly() {
        List<String> base = List.of(
                "mariadb", "--no-defaults", "-h127.0.0.1", "-u" + ProxyFixture.USER, "-p" + ProxyFixture.PASSWORD);
        String sql = "SELECT * FROM big ORDER BY id; SELECT LENGTH(REPEAT('x', " + BIG + ")); SHOW SESSION STATUS LIKE"
                + " 'Compression'";
        List<String> options = List.of("--compress", "--batch", "-e", sql, "test");
        ProgramRun sluice = ProgramRun.run(concat(base, "-P" + fixture.port(), options), Duration.ofSeconds(120));
        ProgramRun direct = ProgramRun.run(concat(base, "-P" + db.sandbox().port(), options), Duration.ofSeconds(120));
        assertThat(direct.exitCode()).as(direct.describe()).isZero();
        assertThat(sluice.exitCode()).as(sluice.describe()).isZero();
        assertThat(sluice.out()).isEqualTo(direct.out());
        assertThat(sluice.out()).contains("Compression\tON").contains(String.valueOf(BIG));
        assertThat(log.lines()).anyMatch(l -> l.contains("compression=zlib"));
    }

    @Test
    void loadDataLocalInfileOverCompressedLinks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // the client's data continues the exchange on both links: compressed ids after the request's, then the OK's
        java.nio.file.Path file = dir.resolve("rows.tsv");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 50_000; i++) {
            rows.append(i).append('\t').append("row ").append(i).append('\n');
        }
        java.nio.file.Files.writeString(file, rows);
        try (ProxyFixture infile = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, true)
                        .withCompression(new CompressionConfig(true, Compression.ZLIB, 1)))) {
            List<String> command = List.of(
                    "mariadb",
                    "--no-defaults",
                    "-h127.0.0.1",
                    "-P" + infile.port(),
                    "-u" + ProxyFixture.USER,
                    "-p" + ProxyFixture.PASSWORD,
                    "--compress",
                    "--local-infile=1",
                    "--batch",
                    "-e",
                    "CREATE TABLE li (id INT PRIMARY KEY, v VARCHAR(20)); LOAD DATA LOCAL INFILE '" + file
                            + "' INTO TABLE li; SELECT COUNT(*), SUM(id), MAX(v) FROM li;"
                            + " SHOW SESSION STATUS LIKE 'Compression'; DROP TABLE li",
                    "test");
            ProgramRun run = ProgramRun.run(command, Duration.ofSeconds(60));
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).contains("50000\t1250025000\trow 9999").contains("Compression\tON");
        }
    }

    private static List<String> concat(List<String> a, String port, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.add(port);
        all.addAll(b);
        return all;
    }

    @Test
    void pipelinedCommandsOverACompressedServerLinkAndZstdFallingBackToZlib() {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        try {
            ServerConnector connector = new ServerConnector(group, transport);
            // Sluice's reset of a pooled connection is such a pipeline: one write, answers read in order
            ServerConnection c = ServerConnection.await(connector.connect(
                    ConnectOptions.builder("127.0.0.1", db.sandbox().port())
                            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
                            .connectTimeout(Duration.ofSeconds(10))
                            .compression(Compression.ZSTD, 0) // MariaDB offers no zstd: zlib instead
                            .build()));
            try {
                assertThat(Capability.has(c.capabilities(), Capability.CLIENT_COMPRESS))
                        .isTrue();
                assertThat(Capability.has(c.capabilities(), Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM))
                        .isFalse();
                List<java.util.concurrent.CompletableFuture<QueryResult>> answers = c.pipeline(List.of(
                        ComResetConnection.INSTANCE,
                        ComQuery.of("SET NAMES utf8mb4"),
                        ComInitDb.of("test"),
                        ComQuery.of("SELECT COUNT(*), DATABASE() FROM big")));
                QueryResult last = ServerConnection.await(answers.get(3));
                answers.forEach(ServerConnection::await);
                assertThat(text(last.resultSet().rows().get(0).get(0))).isEqualTo(String.valueOf(ROWS));
                assertThat(text(last.resultSet().rows().get(0).get(1))).isEqualTo("test");
            } finally {
                c.close();
            }
        } finally {
            group.shutdownGracefully();
        }
    }

    @Test
    void aZlibBombFromAClientEndsItsSessionUninflated() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        try {
            ServerConnector connector = new ServerConnector(group, transport);
            ServerConnection c =
                    ServerConnection.await(connector.connect(ConnectOptions.builder("127.0.0.1", fixture.port())
                            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
                            .connectTimeout(Duration.ofSeconds(10))
                            .compression(Compression.ZLIB, 0)
                            .build()));
            try {
                // 64 MiB of zeros deflate to ~64 KiB; the header says 1000 bytes: Sluice stops at 1000
                java.util.zip.Deflater deflater = new java.util.zip.Deflater();
                deflater.setInput(new byte[64 << 20]);
                deflater.finish();
                byte[] buffer = new byte[1 << 20];
                int n = deflater.deflate(buffer);
                assertThat(deflater.finished()).isTrue();
                deflater.end();
                io.netty.buffer.ByteBuf bomb = io.netty.buffer.Unpooled.buffer();
                dev.sluice.protocol.compress.CompressedFraming.writeHeader(bomb, n, 0, 1000);
                bomb.writeBytes(buffer, 0, n);
                // past the client's own compression handler, straight onto the socket
                c.channel().pipeline().firstContext().writeAndFlush(bomb);
                assertThat(c.channel().closeFuture().await(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("Sluice closes the session")
                        .isTrue();
            } finally {
                c.close();
            }
            assertThat(log.awaitLine("session ")).isNotNull();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> log.lines().stream()
                            .anyMatch(l -> l.contains("bad packet from the client: compressed payload: zlib data"
                                    + " inflates past the 1000 bytes its header declares")));
        } finally {
            group.shutdownGracefully();
        }
    }

    @Test
    void zstdTowardsSluicesOwnClientOverAZlibServerLink() {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        try {
            ServerConnector connector = new ServerConnector(group, transport);
            ServerConnection c =
                    ServerConnection.await(connector.connect(ConnectOptions.builder("127.0.0.1", fixture.port())
                            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
                            .database("test")
                            .connectTimeout(Duration.ofSeconds(10))
                            .compression(Compression.ZSTD, 7)
                            .build()));
            try {
                assertThat(Capability.has(c.capabilities(), Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM))
                        .isTrue();
                assertThat(Capability.has(c.capabilities(), Capability.CLIENT_COMPRESS))
                        .isFalse();
                QueryResult rows = c.querySync("SELECT id, s, d, n FROM big ORDER BY id");
                assertThat(rows.resultSet().rows()).hasSize(ROWS);
                assertThat(text(rows.resultSet().rows().get(ROWS - 1).get(0))).isEqualTo(String.valueOf(ROWS));
                QueryResult big = c.querySync("SELECT REPEAT('z', " + BIG + ")");
                assertThat((byte[]) big.resultSet().rows().get(0).get(0)).hasSize(BIG);
                // over 16 MiB of incompressible bytes each way: sent as they are (uncompressed length 0) on both links
                byte[] noise = new byte[BIG];
                new java.util.Random(14).nextBytes(noise);
                PreparedStatement insert = c.prepareSync("INSERT INTO blobs VALUES (14, ?)");
                c.executeSync(insert, List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG_BLOB), noise)));
                QueryResult back = c.querySync("SELECT b, MD5(b) FROM blobs WHERE id = 14");
                assertThat((byte[]) back.resultSet().rows().get(0).get(0)).isEqualTo(noise);
                assertThat(text(back.resultSet().rows().get(0).get(1))).isEqualTo(md5Hex(noise));
                PreparedStatement ps = c.prepareSync("SELECT s FROM big WHERE id = ?");
                QueryResult one =
                        c.executeSync(ps, List.of(BoundParameter.of(BinaryType.of(ColumnType.LONGLONG), 4242L)));
                assertThat(text(one.resultSet().rows().get(0).get(0))).isEqualTo(md5Hex("4242"));
                // the server link of this session is Sluice's, compressed with zlib (MariaDB has no zstd)
                QueryResult status = c.querySync("SHOW SESSION STATUS LIKE 'Compression'");
                assertThat(text(status.resultSet().rows().get(0).get(1))).isEqualTo("ON");
            } finally {
                c.close();
            }
            assertThat(log.lines()).anyMatch(l -> l.contains("compression=zstd"));
        } finally {
            group.shutdownGracefully();
        }
    }

    private static String text(Object value) {
        return value instanceof byte[] b
                ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(value);
    }

    private static String md5Hex(String s) {
        return md5Hex(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String md5Hex(byte[] bytes) {
        try {
            return md5(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
