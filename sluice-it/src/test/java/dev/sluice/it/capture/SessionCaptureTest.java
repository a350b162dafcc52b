package dev.sluice.it.capture;

import static dev.sluice.it.capture.Tshark.column;
import static dev.sluice.it.capture.Tshark.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.it.proxy.RawClient;
import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.config.CaptureConfig;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session captures (issue 14 item 2) from real sessions through Sluice with client TLS on, read back by Debian's
 * {@code tshark}: an error in the middle of a result set writes the session's capture on its own, an operator's
 * {@code CAPTURE SESSION id} writes one on demand, a session matching {@code capture.continuous} is written as it
 * goes (MariaDB Connector/J and the mariadb CLI, both over TLS); a bad packet from a raw client writes one on error
 * too. Each file's dissected packets show the query, the rows, the ERR, the user, and no password (clients log in
 * with caching_sha2_password, whose first login over TLS sends the password in clear inside TLS).
 */
class SessionCaptureTest {
    static final String ADMIN = "ops";
    static final String ADMIN_PASSWORD = "ops-secret";
    /** The failing query: rows 1 to 49 are sent, then row 50's scalar subquery returns two rows (ERR 1242). */
    static final String MID_RESULT_ERROR =
            "SELECT seq AS n, IF(seq = 50, (SELECT 1 UNION SELECT 2), seq * 10) AS v FROM seq_1_to_100";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    /** Kept after the run, for a look with tshark or Wireshark (emptied at the start). */
    static final Path dir = Path.of("target", "session-captures").toAbsolutePath();

    static ProxyFixture fixture;
    static Tshark tshark;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                Tshark.installed(),
                "tshark is not installed and this test reads captures with it: scripts/ensure-mariadb.sh installs"
                        + " Debian's tshark (apt-get install tshark)");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        ProxyConfig base = ProxyFixture.config(db.sandbox(), ClientTlsConfig.selfSigned(), false);
        ProxyConfig config = new ProxyConfig(
                        base.listeners(),
                        base.servers(),
                        base.users(),
                        base.clientTls(),
                        base.timeouts(),
                        base.limits(),
                        base.localInfile(),
                        base.pool(),
                        ProxyConfig.CACHING_SHA2_PASSWORD)
                .withHttp(HttpConfig.of("127.0.0.1", 0))
                .withAdmin(new AdminConfig(
                        new ListenerConfig("127.0.0.1", 0),
                        List.of(UserConfig.of(ADMIN, ADMIN_PASSWORD)),
                        ProxyFixture.NO_TLS))
                .withCapture(CaptureConfig.of(dir, true).withContinuous(ProxyFixture.USER, null));
        fixture = new ProxyFixture(db.sandbox(), config, 0);
        tshark = new Tshark(fixture.port());
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anErrorMidResultUnderTlsWritesACaptureTsharkDecodes() throws Exception {
        long id;
        int rowsRead = 0;
        try (Connection c = client()) {
            assertTls(c);
            id = threadId(c);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1); // rows are read as they come: the ERR arrives after some of them
                SQLException error = null;
                try (ResultSet rs = s.executeQuery(MID_RESULT_ERROR)) {
                    while (rs.next()) {
                        rowsRead++;
                    }
                } catch (SQLException e) {
                    error = e;
                }
                assertThat((Object) error).as("the query fails at row 50").isNotNull();
                assertThat(error.getErrorCode()).isEqualTo(1242);
            }
        }
        Path file = awaitFile(id, "-on-error.pcapng");
        List<String[]> packets = tshark.dissect(file);

        assertThat(column(packets, "mysql.query")).contains(MID_RESULT_ERROR);
        assertThat(column(packets, "mysql.user")).contains(ProxyFixture.USER);
        // the rows before the error: n and v = n * 10, as text
        List<String> rows = column(packets, "mysql.row.text");
        assertThat(rows).contains("1|10", "49|490").doesNotContain("50|500");
        List<String> codes = column(packets, "mysql.error_code");
        assertThat(codes).containsExactly("1242");
        assertThat(column(packets, "mysql.error.message")).containsExactly("Subquery returns more than 1 row");
        assertNoSecrets(file, packets);
        assertThat(tshark.malformed(file))
                .as("tshark finds no malformed packet")
                .isEmpty();
        assertThat(rowsRead).as("the client read rows before the error").isPositive();

        assertThat(metric("sluice_captures_written_total{trigger=\"on-error\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void captureSessionOnTheAdminInterfaceWritesTheRingNow() throws Exception {
        try (Connection c = client();
                Connection admin = DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:"
                                + fixture.proxy.adminAddress().getPort() + "/?allowPublicKeyRetrieval=true",
                        ADMIN,
                        ADMIN_PASSWORD)) {
            assertTls(c);
            long id = threadId(c);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 'on-demand-marker' AS m, 42 AS answer")) {
                assertThat(rs.next()).isTrue();
            }
            Path file;
            try (Statement s = admin.createStatement();
                    ResultSet rs = s.executeQuery("CAPTURE SESSION " + id + " TO 'demand-" + id + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong("session")).isEqualTo(id);
                file = Path.of(rs.getString("file"));
                assertThat(file)
                        .isEqualTo(dir.resolve("demand-" + id + ".pcapng").toAbsolutePath());
                assertThat(rs.getLong("bytes")).isEqualTo(Files.size(file));
            }
            List<String[]> packets = tshark.dissect(file);
            assertThat(column(packets, "mysql.query")).contains("SELECT 'on-demand-marker' AS m, 42 AS answer");
            assertThat(column(packets, "mysql.row.text")).contains("on-demand-marker|42");
            assertThat(column(packets, "mysql.error_code")).isEmpty();
            assertNoSecrets(file, packets);
            assertThat(tshark.malformed(file)).isEmpty();

            try (Statement s = admin.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery("CAPTURE SESSION 987654321"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getErrorCode()).isEqualTo(1094));
                assertThatThrownBy(() -> s.executeQuery("CAPTURE SESSION " + id + " TO '../escape'"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("not a plain file name");
            }
        }
    }

    @Test
    void aSessionMatchingTheContinuousFilterIsWrittenAsItGoes() throws Exception {
        long id;
        try (Connection c = client()) {
            id = threadId(c);
            try (Statement s = c.createStatement()) {
                for (int i = 0; i < 3; i++) {
                    try (ResultSet rs = s.executeQuery("SELECT 'continuous-" + i + "'")) {
                        assertThat(rs.next()).isTrue();
                    }
                }
            }
        }
        Path file = awaitFile(id, "-continuous.pcapng");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(column(tshark.dissect(file), "mysql.query"))
                        .contains("SELECT 'continuous-0'", "SELECT 'continuous-1'", "SELECT 'continuous-2'"));
        List<String[]> packets = tshark.dissect(file);
        assertThat(column(packets, "mysql.command")).contains("1"); // COM_QUIT at the end
        assertNoSecrets(file, packets);
    }

    @Test
    void theMariadbCliOverTlsIsCapturedToo() throws Exception {
        String out = run(List.of(
                "mariadb",
                "--no-defaults",
                "--ssl",
                "-h127.0.0.1",
                "-P" + fixture.port(),
                "-u" + ProxyFixture.USER,
                "-p" + ProxyFixture.PASSWORD,
                "-N",
                "-e",
                "SHOW STATUS LIKE 'Ssl_cipher'; SELECT 'cli-marker', CONNECTION_ID()"));
        String[] lines = out.strip().split("\n");
        assertThat(lines[0]).as("TLS: " + out).startsWith("Ssl_cipher\t").doesNotEndWith("\t");
        long id = Long.parseLong(lines[1].split("\t")[1]);
        Path file = awaitFile(id, "-continuous.pcapng");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String[]> packets = tshark.dissect(file);
            assertThat(column(packets, "mysql.query")).contains("SELECT 'cli-marker', CONNECTION_ID()");
            assertThat(column(packets, "mysql.row.text")).contains("cli-marker|" + id);
            assertThat(column(packets, "mysql.command")).contains("1"); // COM_QUIT: the file is complete
        });
        assertNoSecrets(file, tshark.dissect(file));
    }

    @Test
    void theFirstLoginsCleartextPasswordIsInTheCaptureOnlyAsZeros() throws Exception {
        try (Connection c = client()) {
            threadId(c);
        }
        // the first session since Sluice started did caching_sha2_password's full authentication: over TLS, the
        // client sends its password in clear
        Path first;
        try (Stream<Path> files = Files.list(dir)) {
            first = files.filter(p -> p.getFileName().toString().endsWith("-continuous.pcapng"))
                    .min(java.util.Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow();
        }
        String bytes = new String(Files.readAllBytes(first), StandardCharsets.ISO_8859_1);
        int length = ProxyFixture.PASSWORD.length() + 1;
        // its header (length, 0, 0, sequence id 3 to 5: after an auth switch or not), then zeros only
        String zeroedPassword = "(?s).*" + (char) length + "\0\0[\u0003-\u0005]\0{" + length + "}.*";
        assertThat(bytes).as("the cleartext password packet, zeroed").matches(zeroedPassword);
        assertThat(bytes).doesNotContain(ProxyFixture.PASSWORD);
    }

    @Test
    void aBadPacketFromAClientWritesTheCaptureOnError() throws Exception {
        // a Sluice of its own without TLS, so that a raw client can send what no driver would
        Path plainDir = dir.resolve("plain");
        try (ProxyFixture plain = new ProxyFixture(
                        db.sandbox(),
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false)
                                .withCapture(CaptureConfig.of(plainDir, true)));
                RawClient client = RawClient.login(plain.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            client.writePacket(0, new byte[0]); // an empty command packet: ERR 1835
            RawClient.RawPacket answer = client.read();
            assertThat(answer.err().errorCode()).isEqualTo(1835);

            Path file = await().atMost(Duration.ofSeconds(20)).until(() -> onlyFile(plainDir), f -> f != null);
            List<String[]> packets = new Tshark(plain.port()).dissect(file);
            assertThat(column(packets, "mysql.user")).containsExactly(ProxyFixture.USER);
            assertThat(column(packets, "mysql.error_code")).containsExactly("1835");
            assertThat(column(packets, "mysql.error.message"))
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("Malformed communication packet");
            assertThat(file.getFileName().toString()).endsWith("-on-error.pcapng");
        }
    }

    /** The one .pcapng file in {@code d}, or null. */
    static Path onlyFile(Path d) throws Exception {
        if (!Files.isDirectory(d)) {
            return null;
        }
        try (Stream<Path> files = Files.list(d)) {
            return files.filter(p -> p.toString().endsWith(".pcapng"))
                    .findFirst()
                    .orElse(null);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    static Connection client() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + fixture.port() + "/test?sslMode=trust",
                ProxyFixture.USER,
                ProxyFixture.PASSWORD);
    }

    static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void assertTls(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'Ssl_cipher'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).as("the client link is TLS").isNotBlank();
        }
    }

    static Path awaitFile(long id, String suffix) {
        String prefix = "sluice-session-" + id + "-";
        Path[] found = new Path[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Stream<Path> files = Files.list(dir)) {
                found[0] = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                                && p.getFileName().toString().endsWith(suffix))
                        .findFirst()
                        .orElse(null);
            }
            return found[0] != null;
        });
        return found[0];
    }

    /** The password neither in the file's bytes nor in the auth response tshark reads (zeroed). */
    static void assertNoSecrets(Path file, List<String[]> packets) throws Exception {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1); // one char per byte
        assertThat(bytes).as("the password's bytes are not in the capture").doesNotContain(ProxyFixture.PASSWORD);
        List<String> auth = column(packets, "mysql.passwd");
        assertThat(auth).as("the login's auth response is in the capture").isNotEmpty();
        assertThat(auth).allSatisfy(a -> assertThat(a).matches("(00)*"));
    }

    static long metric(String series) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + fixture.proxy.httpAddress().getPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body()
                .lines()
                .filter(l -> l.startsWith(series + " "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst()
                .orElse(-1);
    }
}
