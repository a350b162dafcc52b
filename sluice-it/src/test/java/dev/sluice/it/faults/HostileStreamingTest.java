package dev.sluice.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Results through Sluice with a {@link HostileRelay} on both sides (client → relay → Sluice → relay → server),
 * so every packet of every response reaches Sluice and the driver in random pieces (DESIGN invariant 1, seed
 * 000): a million rows of about 200 bytes, checked row by row, {@code sluice.stream.repeat} times (default 5;
 * the long run is {@code -Dsluice.stream.repeat=20}); then once each multi-result sets, a cursor fetch, LOAD
 * DATA LOCAL INFILE and a 40 MiB row. {@code -Dsluice.relay.seed=N} replays a seed (printed at start).
 */
class HostileStreamingTest {
    private static final long SEED = Long.getLong("sluice.relay.seed", System.nanoTime());
    private static final int HUGE_CHUNKS = 655_360; // 64 hex characters each: exactly 40 MiB

    /** The server's own tmpdir: cursor temp tables in the shared /tmp were seen deleted under it by others. */
    private static final Path SERVER_TMPDIR = privateDirectory();

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .option("innodb_buffer_pool_size", "512M") // the whole table stays in memory
            .option("tmpdir", SERVER_TMPDIR.toString())
            .option("max_allowed_packet", "128M")
            .option("local_infile", "ON")
            .initSql("CREATE DATABASE test")
            .build();

    static HostileRelay serverSide;
    static HostileRelay clientSide;
    static ProxyFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("HostileStreamingTest seed " + SEED + " (replay with -Dsluice.relay.seed=" + SEED + ")");
        long ms = BigTable.create(
                db.sandbox().host(), db.sandbox().port(), db.sandbox().rootPassword(), BigTable.ROWS);
        System.out.println("HostileStreamingTest: test.big filled in " + ms + " ms");
        serverSide = HostileRelay.start(
                "server-side", db.sandbox().host(), db.sandbox().port(), SEED);
        fixture = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(
                        db.sandbox(),
                        serverSide.host(),
                        serverSide.port(),
                        Timeouts.defaults(),
                        new Limits(128 << 20, 1000),
                        true));
        clientSide = HostileRelay.start("client-side", "127.0.0.1", fixture.port(), SEED + 1);
    }

    private static Path privateDirectory() {
        try {
            return Files.createTempDirectory("sluice-it-mariadb-tmp-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (clientSide != null) {
            clientSide.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (serverSide != null) {
            serverSide.close();
        }
        try (var files = Files.walk(SERVER_TMPDIR)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }

    private static String seeds() {
        return "seeds " + serverSide.seed() + " / " + clientSide.seed();
    }

    static IntStream runs() {
        return IntStream.rangeClosed(1, Integer.getInteger("sluice.stream.repeat", 5));
    }

    /** Odd runs MySQL Connector/J (fetch size MIN_VALUE), even runs MariaDB Connector/J (fetch size 1000). */
    @ParameterizedTest(name = "run {0}")
    @MethodSource("runs")
    void millionRowsThroughHostileRelays(int run) throws Exception {
        String driver = run % 2 == 1 ? "mysql" : "mariadb";
        long begin = System.nanoTime();
        long relayedBefore = clientSide.bytesForwarded();
        BigTable.Checker checker = new BigTable.Checker(driver + " run " + run + ", " + seeds(), 1);
        try (Connection c = Jdbc.driver(driver, clientSide.port(), "");
                Statement s = Jdbc.streaming(c, driver);
                ResultSet rs = s.executeQuery(BigTable.select("stream-" + run))) {
            checker.drain(rs);
        }
        checker.assertComplete(BigTable.ROWS);
        long ms = (System.nanoTime() - begin) / 1_000_000;
        long mib = (clientSide.bytesForwarded() - relayedBefore) >> 20;
        System.out.printf(
                "HostileStreamingTest run %d (%s): %d rows, %d MiB through the client-side relay in %d ms;"
                        + " relays so far: %s / %s%n",
                run, driver, checker.rows(), mib, ms, serverSide.stats(), clientSide.stats());
        assertThat(mib).as("bytes relayed (about 200 bytes a row)").isGreaterThan(150);
    }

    /** The same million rows as binary-protocol rows: a server-side prepared statement, streamed. */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void millionBinaryRowsThroughHostileRelays(String driver) throws Exception {
        long executesBefore;
        try (Connection root = Jdbc.root(db.sandbox())) {
            executesBefore = globalStatus(root, "Com_stmt_execute");
        }
        BigTable.Checker checker = new BigTable.Checker(driver + " binary, " + seeds(), 1);
        try (Connection c = Jdbc.driver(driver, clientSide.port(), "useServerPrepStmts=true");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, payload, CRC32(payload) FROM test.big WHERE id >= ? ORDER BY id",
                        ResultSet.TYPE_FORWARD_ONLY,
                        ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(driver.equals("mysql") ? Integer.MIN_VALUE : 1000);
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                checker.drain(rs);
            }
        }
        checker.assertComplete(BigTable.ROWS);
        try (Connection root = Jdbc.root(db.sandbox())) {
            assertThat(globalStatus(root, "Com_stmt_execute") - executesBefore)
                    .as("COM_STMT_EXECUTE used")
                    .isPositive();
        }
    }

    /**
     * Result, OK, result, result in one multi-statement, each big result checked; MariaDB Connector/J streams
     * them, MySQL Connector/J reads each whole (its streaming mode refuses multi-statements).
     */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void multiResultSets(String driver) throws Exception {
        String sql = BigTable.select("multi-1", 1, 300_000) + "; UPDATE test.counter SET n = n + 1; "
                + BigTable.select("multi-2", 300_001, 700_000) + "; " + BigTable.select("multi-3", 700_001, 1_000_000);
        try (Connection root = Jdbc.root(db.sandbox());
                Statement s = root.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS test.counter (n INT NOT NULL)");
            s.execute("DELETE FROM test.counter");
            s.execute("INSERT INTO test.counter VALUES (0)");
        }
        try (Connection c = Jdbc.driver(driver, clientSide.port(), "allowMultiQueries=true");
                Statement s = driver.equals("mysql") ? c.createStatement() : Jdbc.streaming(c, driver)) {
            assertThat(s.execute(sql)).isTrue();
            BigTable.Checker first = new BigTable.Checker(driver + " result 1, " + seeds(), 1);
            try (ResultSet rs = s.getResultSet()) {
                first.drain(rs);
            }
            first.assertComplete(300_000);
            assertThat(s.getMoreResults())
                    .as("second result is an update count")
                    .isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(1);
            long[] bounds = {300_001, 700_000, 700_001, 1_000_000};
            for (int i = 0; i < 2; i++) {
                assertThat(s.getMoreResults())
                        .as("result %d, %s", i + 3, seeds())
                        .isTrue();
                BigTable.Checker checker =
                        new BigTable.Checker(driver + " result " + (i + 3) + ", " + seeds(), bounds[2 * i]);
                try (ResultSet rs = s.getResultSet()) {
                    checker.drain(rs);
                }
                checker.assertComplete(bounds[2 * i + 1] - bounds[2 * i] + 1);
            }
            assertThat(s.getMoreResults()).isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(-1);
        }
    }

    /** MySQL Connector/J's server-side cursor: COM_STMT_EXECUTE opens it, COM_STMT_FETCH brings 1000 rows a time. */
    @Test
    void cursorFetch() throws Exception {
        long fetchesBefore;
        try (Connection root = Jdbc.root(db.sandbox())) {
            fetchesBefore = globalStatus(root, "Com_stmt_fetch");
        }
        int rows = 200_000;
        BigTable.Checker checker = new BigTable.Checker("cursor fetch, " + seeds(), 1);
        try (Connection c = Jdbc.mysql(clientSide.port(), "useCursorFetch=true&defaultFetchSize=1000");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, payload, CRC32(payload) FROM test.big WHERE id <= ? ORDER BY id")) {
            ps.setInt(1, rows);
            try (ResultSet rs = ps.executeQuery()) {
                checker.drain(rs);
            }
        }
        checker.assertComplete(rows);
        try (Connection root = Jdbc.root(db.sandbox())) {
            // the rows really came through fetches of 1000 (not as one result the driver buffered)
            assertThat(globalStatus(root, "Com_stmt_fetch") - fetchesBefore).isGreaterThanOrEqualTo(rows / 1000);
        }
    }

    private static long globalStatus(Connection root, String name) throws Exception {
        try (Statement s = root.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(2);
        }
    }

    /** 100,000 lines of LOAD DATA LOCAL INFILE from MariaDB Connector/J, through both relays. */
    @Test
    void localInfile(@TempDir Path dir) throws Exception {
        int lines = 100_000;
        Path file = dir.resolve("lines.tsv");
        SplittableRandom random = new SplittableRandom(SEED);
        long expectedCrcSum = 0;
        CRC32 crc = new CRC32();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            StringBuilder v = new StringBuilder();
            for (int i = 1; i <= lines; i++) {
                v.setLength(0);
                int len = 1 + random.nextInt(120);
                for (int k = 0; k < len; k++) {
                    v.append((char) ('a' + random.nextInt(26)));
                }
                w.write(i + "\t" + v + "\n");
                crc.reset();
                crc.update(v.toString().getBytes(StandardCharsets.US_ASCII));
                expectedCrcSum += crc.getValue();
            }
        }
        try (Connection root = Jdbc.root(db.sandbox());
                Statement s = root.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS test.loaded (id INT PRIMARY KEY, v VARCHAR(200) NOT NULL)");
            s.execute("TRUNCATE test.loaded");
        }
        try (Connection c = Jdbc.mariadb(clientSide.port(), "allowLocalInfile=true");
                Statement s = c.createStatement()) {
            int loaded = s.executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE test.loaded (id, v)");
            assertThat(loaded).as(seeds()).isEqualTo(lines);
        }
        try (Connection root = Jdbc.root(db.sandbox())) {
            assertThat(Jdbc.queryLong(root, "SELECT COUNT(*) FROM test.loaded WHERE id BETWEEN 1 AND " + lines))
                    .isEqualTo(lines);
            assertThat(Jdbc.queryLong(root, "SELECT SUM(CRC32(v)) FROM test.loaded"))
                    .as(seeds())
                    .isEqualTo(expectedCrcSum);
        }
    }

    /** A 40 MiB row: three wire packets (16 MiB - 1, 16 MiB - 1, the rest) joined and re-split by Sluice. */
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void fortyMebibyteRow(String driver) throws Exception {
        try (Connection root = Jdbc.root(db.sandbox());
                Statement s = root.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS test.huge (id INT PRIMARY KEY, b LONGBLOB NOT NULL)");
            if (Jdbc.queryLong(root, "SELECT COUNT(*) FROM test.huge") == 0) {
                s.execute("SET SESSION group_concat_max_len = 67108864");
                s.execute("INSERT INTO test.huge SELECT 1, GROUP_CONCAT(SHA2(seq, 256) ORDER BY seq SEPARATOR '')"
                        + " FROM seq_1_to_" + HUGE_CHUNKS);
            }
        }
        try (Connection c = Jdbc.driver(driver, clientSide.port(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, b, LENGTH(b), SHA2(b, 256), 'after' FROM test.huge")) {
            assertThat(rs.next()).isTrue();
            byte[] b = rs.getBytes(2);
            assertThat(b.length).as(seeds()).isEqualTo(40 << 20).isEqualTo(rs.getInt(3));
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b));
            assertThat(sha).as("SHA-256 of the 40 MiB value, " + seeds()).isEqualTo(rs.getString(4));
            assertThat(rs.getString(5)).isEqualTo("after");
            assertThat(rs.next()).isFalse();
        }
    }
}
