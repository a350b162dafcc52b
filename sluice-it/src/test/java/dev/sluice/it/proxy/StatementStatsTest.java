package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.proxy.MetricsEndpointTest.Scrape;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.StatsConfig;
import dev.sluice.proxy.digest.DigestRow;
import dev.sluice.proxy.stats.SlowQueryLog;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Issue 13's statement statistics through a real server and real drivers: exact metric deltas for a known workload
 * (commands by type, statements and their latency buckets by group, errors by code and origin, bytes), the digest
 * table (one row per normalised statement, user and schema, with rows, errors and latency percentiles; prepared
 * executions counted under their text), and the slow query log. One server and one Sluice for the class; every test
 * measures deltas on a connection opened beforehand, so a driver's own connect-time statements do not count.
 */
class StatementStatsTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.items (id int PRIMARY KEY, name varchar(20))",
                    "INSERT INTO test.items VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')")
            .build();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String WRITER = "writer";

    static ProxyFixture fixture;
    static ListAppender<ILoggingEvent> slowLines = new ListAppender<>();

    @BeforeAll
    static void start() {
        ProxyConfig config = ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.TRANSACTION)
                .withHttp(HttpConfig.of("127.0.0.1", 0))
                .withStats(new StatsConfig(true, 1000, Duration.ofMillis(250), 10, null));
        fixture = new ProxyFixture(db.sandbox(), config);
        slowLines.start();
        ((Logger) LoggerFactory.getLogger(SlowQueryLog.LOGGER)).addAppender(slowLines);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(SlowQueryLog.LOGGER)).detachAppender(slowLines);
        fixture.close();
    }

    /**
     * 20 selects, one failing statement (a missing table: the server's 1146) and one KILL of an id no session has
     * (Sluice's own 1094): the command, statement and error counters move by exactly that. Fails when a counter
     * misses or double-counts a command, or an ERR is put down to the wrong origin.
     */
    @Test
    void countersMoveByExactlyTheWorkload() throws Exception {
        try (Connection c = fixture.mariadb("useServerPrepStmts=false")) {
            query(c, "SELECT 1"); // the connection's first statement: leases once
            Scrape before = scrape();
            for (int i = 0; i < 20; i++) {
                query(c, "SELECT name FROM test.items WHERE id = " + (i % 5 + 1));
            }
            assertThatThrownBy(() -> query(c, "SELECT * FROM test.missing"))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(1146));
            assertThatThrownBy(() -> query(c, "KILL 1073741999"))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(1094));
            Scrape after = scrape();

            assertThat(delta(before, after, "sluice_commands_total", Map.of("command", "COM_QUERY")))
                    .isEqualTo(22);
            assertThat(delta(before, after, "sluice_statement_duration_seconds_count", Map.of("group", WRITER)))
                    .as("statements the writer group answered")
                    .isEqualTo(21);
            assertThat(delta(before, after, "sluice_statement_duration_seconds_count", Map.of("group", "")))
                    .as("statements Sluice answered itself")
                    .isEqualTo(1);
            assertThat(delta(before, after, "sluice_errors_total", Map.of("code", "1146", "origin", "server")))
                    .isEqualTo(1);
            assertThat(delta(before, after, "sluice_errors_total", Map.of("code", "1094", "origin", "sluice")))
                    .isEqualTo(1);
            String one = "SELECT name FROM test.items WHERE id = 1";
            assertThat(delta(before, after, "sluice_client_received_bytes_total", Map.of()))
                    .as("bytes from the client: at least the 20 statements' texts and headers")
                    .isGreaterThanOrEqualTo(20.0 * (one.length() + 5));
            assertThat(delta(before, after, "sluice_client_sent_bytes_total", Map.of()))
                    .isGreaterThan(0);
        }
    }

    /** A session in a transaction holds a leased server connection; once it commits the connection is idle again. */
    @Test
    void leasedConnectionsFollowATransaction() throws Exception {
        Map<String, String> server = Map.of("server", ProxyFixture.SERVER);
        try (Connection c = fixture.mysql("")) {
            c.setAutoCommit(false);
            query(c, "SELECT name FROM test.items WHERE id = 1 FOR UPDATE");
            assertThat(scrape().value("sluice_server_connections_leased", server))
                    .isEqualTo(1);
            c.commit();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(scrape().value("sluice_server_connections_leased", server))
                            .isZero());
            assertThat(scrape().value("sluice_server_connections_idle", server)).isPositive();
            assertThat(scrape().value("sluice_pool_waiting_clients", server)).isZero();
        }
    }

    /** A login with a wrong password counts as a failed login with the 1045 its client got. */
    @Test
    void aFailedLoginIsCountedByItsCode() throws Exception {
        Scrape before = scrape();
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:" + fixture.port() + "/test", ProxyFixture.USER, "wrong"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        Scrape after = scrape();
        assertThat(delta(before, after, "sluice_client_logins_failed_total", Map.of("code", "1045")))
                .isEqualTo(1);
        assertThat(delta(before, after, "sluice_client_connections_accepted_total", Map.of()))
                .isEqualTo(1);
    }

    /**
     * A statement of 300 ms lands in the latency bucket up to 0.5 s and not in the one up to 0.25 s; it is also
     * slow (threshold 250 ms): the slow query log has one JSON line for it, with its normalised text and no literal.
     */
    @Test
    void latencyBucketsAndTheSlowQueryLog() throws Exception {
        try (Connection c = fixture.mysql("")) {
            query(c, "SELECT 1");
            Scrape before = scrape();
            int linesBefore = slowLines.list.size();
            query(c, "SELECT SLEEP(0.3), 'secret-literal'");
            Scrape after = scrape();
            Map<String, String> le025 = Map.of("group", WRITER, "le", "0.25");
            Map<String, String> le05 = Map.of("group", WRITER, "le", "0.5");
            assertThat(delta(before, after, "sluice_statement_duration_seconds_bucket", le025))
                    .isZero();
            assertThat(delta(before, after, "sluice_statement_duration_seconds_bucket", le05))
                    .isEqualTo(1);

            List<String> lines = slowLines.list.subList(linesBefore, slowLines.list.size()).stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .startsWith("{\"time\":")
                    .contains("\"text\":\"select sleep (?), ?\"")
                    .contains("\"user\":\"app\"")
                    .contains("\"group\":\"writer\"")
                    .contains("\"rows\":1")
                    .contains("\"error\":null")
                    .doesNotContain("secret-literal");
        }
    }

    /**
     * Digest rows: 30 selects with different literals and IN lists of different lengths are one row each per text
     * shape; a failing statement's row counts its error; prepared executions count under their prepared text. Fails
     * when literals split rows, when rows, errors or latencies are not counted, or when executions are missed.
     */
    @Test
    void digestRowsCountWhatRan() throws Exception {
        fixture.proxy.stats().digests().reset();
        try (Connection c = fixture.mariadb("useServerPrepStmts=true")) {
            for (int i = 0; i < 30; i++) {
                query(c, "SELECT name FROM test.items WHERE id = " + (i % 5 + 1));
            }
            query(c, "SELECT id FROM test.items WHERE id IN (1, 2)");
            query(c, "SELECT id FROM test.items WHERE id IN (1, 2, 3, 4)");
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> query(c, "SELECT * FROM test.missing WHERE id = 7"))
                        .isInstanceOf(SQLException.class);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM test.items WHERE id > ?")) {
                for (int i = 0; i < 4; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            // read all
                        }
                    }
                }
            }
        }
        List<DigestRow> rows = fixture.proxy.stats().digests().rows();
        rows.forEach(r -> System.out.println("digest " + r));

        DigestRow select = row(rows, "select name from test.items where id = ?");
        assertThat(select.count()).isEqualTo(30);
        assertThat(select.rowsSent()).isEqualTo(30);
        assertThat(select.errors()).isZero();
        assertThat(select.user()).isEqualTo(ProxyFixture.USER);
        assertThat(select.schema()).isEqualTo("test");
        assertThat(select.group()).isEqualTo(WRITER);
        assertThat(select.p50Micros()).isPositive();
        assertThat(select.minMicros()).isLessThanOrEqualTo(select.p50Micros());
        assertThat(select.p99Micros()).isLessThanOrEqualTo(select.maxMicros() + select.maxMicros() / 50);

        DigestRow in = row(rows, "select id from test.items where id in (...)");
        assertThat(in.count()).isEqualTo(2);
        assertThat(in.rowsSent()).isEqualTo(6);

        DigestRow missing = row(rows, "select * from test.missing where id = ?");
        assertThat(missing.count()).isEqualTo(3);
        assertThat(missing.errors()).isEqualTo(3);

        DigestRow prepared = row(rows, "select name from test.items where id > ?");
        assertThat(prepared.count()).as("executions of the prepared statement").isEqualTo(4);
        assertThat(prepared.rowsSent()).isEqualTo(5 + 4 + 3 + 2);
    }

    private static DigestRow row(List<DigestRow> rows, String text) {
        List<DigestRow> found = rows.stream().filter(r -> r.text().equals(text)).toList();
        assertThat(found).as("rows of '%s' in %s", text, rows).hasSize(1);
        return found.get(0);
    }

    private static double delta(Scrape before, Scrape after, String name, Map<String, String> labels) {
        return after.valueOrZero(name, labels) - before.valueOrZero(name, labels);
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                // read to the end
            }
        }
    }

    private static Scrape scrape() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + fixture.proxy.httpAddress().getPort() + "/metrics");
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return Scrape.parse(r.body());
    }
}
