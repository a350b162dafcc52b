package dev.sluice.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.proxy.ProgramRun;
import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.session.ProxyErrors;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin interface (issue 13 item 3) against a real proxy in front of a real MariaDB, pool.mode transaction: the
 * mariadb CLI and both Java drivers read its tables; KILL, KILL QUERY and SET SERVER act on real sessions; the
 * same tables as JSON under /api.
 */
class AdminInterfaceTest {
    static final String ADMIN = "ops";
    static final String ADMIN_PASSWORD = "ops-secret";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE TABLE test.t (id INT PRIMARY KEY)")
            .build();

    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        ProxyConfig config = ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.TRANSACTION)
                .withHttp(HttpConfig.of("127.0.0.1", 0))
                .withAdmin(new AdminConfig(
                        new ListenerConfig("127.0.0.1", 0),
                        List.of(UserConfig.of(ADMIN, ADMIN_PASSWORD)),
                        ProxyFixture.NO_TLS));
        fixture = new ProxyFixture(db.sandbox(), config);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static int adminPort() {
        return fixture.proxy.adminAddress().getPort();
    }

    @Test
    void cliShowsServersAndTheSessionsOfTheMainPort() throws Exception {
        try (Connection app = fixture.mysql("")) {
            app.setAutoCommit(false);
            query(app, "SELECT COUNT(*) FROM t"); // a transaction is open: the session holds its connection
            String servers = cli("SHOW SERVERS");
            assertThat(servers.lines().findFirst().orElseThrow())
                    .isEqualTo("name\taddress\trole\tstate\tadmin_state\tlag_seconds\tconnections_open"
                            + "\tconnections_leased\tconnections_idle\tclients_waiting");
            assertThat(servers)
                    .contains(ProxyFixture.SERVER + "\t127.0.0.1:"
                            + db.sandbox().port() + "\twriter\tup\tONLINE\tNULL\t");

            String sessions = cli("show sessions;");
            List<Map<String, String>> rows = tabRows(sessions);
            assertThat(rows).anySatisfy(r -> {
                assertThat(r.get("user")).isEqualTo(ProxyFixture.USER);
                assertThat(r.get("state")).isEqualTo("in transaction");
                assertThat(r.get("database")).isEqualTo("test");
                assertThat(r.get("server")).isEqualTo(ProxyFixture.SERVER);
                assertThat(Long.parseLong(r.get("server_thread"))).isPositive();
                assertThat(r.get("client")).isEqualTo("127.0.0.1");
            });
            app.rollback();
        }
    }

    @Test
    void bothDriversReadShowPools() throws Exception {
        try (Connection app = fixture.mysql("")) {
            query(app, "SELECT 1");
            for (String url : List.of(
                    "jdbc:mysql://127.0.0.1:" + adminPort() + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                    "jdbc:mariadb://127.0.0.1:" + adminPort() + "/")) {
                try (Connection admin = DriverManager.getConnection(url, ADMIN, ADMIN_PASSWORD);
                        Statement s = admin.createStatement();
                        ResultSet rs = s.executeQuery("SHOW POOLS")) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(md.getColumnLabel(1)).as(url).isEqualTo("server");
                    assertThat(md.getColumnType(6))
                            .as(url + ": open is a number")
                            .isEqualTo(java.sql.Types.BIGINT);
                    boolean found = false;
                    while (rs.next()) {
                        if (rs.getString("server").equals(ProxyFixture.SERVER)
                                && rs.getString("user").equals(ProxyFixture.USER)) {
                            found = true;
                            assertThat(rs.getInt("open")).as(url).isPositive();
                            assertThat(rs.getInt("leased") + rs.getInt("idle"))
                                    .as(url)
                                    .isEqualTo(rs.getInt("open"));
                            assertThat(rs.getString("database")).isEqualTo("test");
                        }
                    }
                    assertThat(found).as(url + ": the pool of user app").isTrue();
                }
            }
        }
    }

    @Test
    void killEndsASessionWithAnErrorToItsClient() throws Exception {
        try (Connection victim = fixture.mysql("")) {
            CompletableFuture<Object> sleeping = runAsync(victim, "SELECT SLEEP(30)");
            long id = awaitSessionRunning("SELECT SLEEP(30)");
            try (Connection admin = admin()) {
                assertThat(admin.createStatement().executeUpdate("KILL " + id)).isEqualTo(1);
            }
            Throwable failure = failureOf(sleeping);
            assertThat(sqlCode(failure)).as(String.valueOf(failure)).isEqualTo(ProxyErrors.ENDED_BY_OPERATOR);
            assertThat(failure).hasMessageContaining("an operator ended this session");
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.proxy.sessionCount() == 0);
        }
        Connection idle = fixture.mysql("");
        try {
            idle.setAutoCommit(false);
            query(idle, "SELECT COUNT(*) FROM t");
            long id = onlySessionId();
            try (Connection admin = admin()) {
                assertThat(admin.createStatement().executeUpdate("KILL CONNECTION " + id))
                        .isEqualTo(1);
            }
            Throwable failure = catchFailure(() -> query(idle, "SELECT 1"));
            assertThat(sqlCode(failure)).as(String.valueOf(failure)).isEqualTo(ProxyErrors.ENDED_BY_OPERATOR);
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.proxy.sessionCount() == 0);
        } finally {
            closeEnded(idle);
        }
        try (Connection admin = admin()) {
            assertThatThrownBy(() -> admin.createStatement().execute("KILL 1234"))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(ProxyErrors.UNKNOWN_THREAD));
        }
    }

    @Test
    void killQueryStopsTheStatementAndTheSessionGoesOn() throws Exception {
        try (Connection victim = fixture.mysql("")) {
            long started = System.nanoTime();
            CompletableFuture<Object> sleeping = runAsync(victim, "SELECT SLEEP(30)");
            long id = awaitSessionRunning("SELECT SLEEP(30)");
            try (Connection admin = admin()) {
                assertThat(admin.createStatement().executeUpdate("KILL QUERY " + id))
                        .isEqualTo(1);
            }
            try {
                sleeping.get(15, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(sqlCode(e.getCause())).as("interrupted").isEqualTo(1317);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            assertThat(query(victim, "SELECT 7")).isEqualTo("7");
        }
    }

    @Test
    void offlineSoftRefusesNewLeasesWhileATransactionFinishes() throws Exception {
        try (Connection inTransaction = fixture.mysql("");
                Connection admin = admin()) {
            inTransaction.setAutoCommit(false);
            inTransaction.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
            try {
                assertThat(admin.createStatement().executeUpdate("SET SERVER " + ProxyFixture.SERVER + " OFFLINE SOFT"))
                        .isZero();
                assertThat(serversRow(admin).get("admin_state")).isEqualTo("OFFLINE_SOFT");
                Throwable refused = catchFailure(() -> {
                    try (Connection c = fixture.mysql("")) {
                        query(c, "SELECT 1");
                    }
                });
                assertThat(sqlCode(refused)).as(String.valueOf(refused)).isEqualTo(ProxyErrors.SERVER_OFFLINE);
                assertThat(refused).hasMessageContaining("is OFFLINE_SOFT");
                // the session holding the server's connection finishes its transaction
                inTransaction.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
                inTransaction.commit();
            } finally {
                admin.createStatement().executeUpdate("SET SERVER " + ProxyFixture.SERVER + " ONLINE");
            }
            assertThat(serversRow(admin).get("admin_state")).isEqualTo("ONLINE");
            try (Connection c = fixture.mariadb("")) {
                assertThat(query(c, "SELECT COUNT(*) FROM t WHERE id IN (1, 2)"))
                        .isEqualTo("2");
                query(c, "DELETE FROM t");
            }
        }
    }

    @Test
    void offlineHardEndsTheSessionsOnTheServer() throws Exception {
        Connection inTransaction = fixture.mysql("");
        try (Connection admin = admin()) {
            inTransaction.setAutoCommit(false);
            query(inTransaction, "SELECT COUNT(*) FROM t");
            try {
                assertThat(admin.createStatement()
                                .executeUpdate("set server `" + ProxyFixture.SERVER + "` offline hard"))
                        .isEqualTo(1);
                Throwable ended = catchFailure(() -> query(inTransaction, "SELECT 1"));
                assertThat(ended).isInstanceOf(SQLException.class);
                assertThat(sqlCode(ended)).as(String.valueOf(ended)).isEqualTo(ProxyErrors.ENDED_BY_OPERATOR);
            } finally {
                admin.createStatement().executeUpdate("SET SERVER " + ProxyFixture.SERVER + " ONLINE");
            }
        } finally {
            closeEnded(inTransaction);
        }
    }

    @Test
    void refusalsAndErrors() throws Exception {
        String url = "jdbc:mysql://127.0.0.1:" + adminPort() + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true";
        assertThatThrownBy(() -> DriverManager.getConnection(url, ADMIN, "wrong"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        assertThatThrownBy(() -> DriverManager.getConnection(url, ProxyFixture.USER, ProxyFixture.PASSWORD))
                .as("a client user is no admin user")
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        try (Connection admin = admin()) {
            assertThatThrownBy(() -> admin.createStatement().execute("SHOW TABLES"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(ProxyErrors.ADMIN_UNKNOWN_COMMAND);
                        assertThat(e.getMessage())
                                .contains("unknown command 'SHOW TABLES'")
                                .contains("SHOW SERVERS")
                                .contains("SET SERVER name OFFLINE SOFT | OFFLINE HARD | ONLINE");
                    });
            assertThatThrownBy(() -> admin.createStatement().execute("SET SERVER nosuch OFFLINE SOFT"))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getMessage())
                                    .contains("no server named 'nosuch' (servers: " + ProxyFixture.SERVER + ")"));
            assertThatThrownBy(() -> admin.createStatement().execute("RELOAD CONFIG"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getMessage()).contains("not available"));
            assertThat(query(admin, "SELECT @@version_comment LIMIT 1")).isEqualTo("Sluice admin interface");
        }
        assertThat(cli("SHOW NONSENSE")).contains("ERROR 1064 (42000)").contains("unknown command 'SHOW NONSENSE'");
    }

    @Test
    void configAndMetrics() throws Exception {
        try (Connection admin = admin()) {
            Map<String, String> config = new LinkedHashMap<>();
            try (ResultSet rs = admin.createStatement().executeQuery("SHOW CONFIG")) {
                while (rs.next()) {
                    config.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(config).containsEntry("servers[0].name", ProxyFixture.SERVER);
            assertThat(config).containsEntry("users[0].name", ProxyFixture.USER);
            assertThat(config).containsEntry("users[0].password", "<redacted>");
            assertThat(config).containsEntry("admin.users[0].password", "<redacted>");
            assertThat(config).as("a flag is no secret").containsEntry("servers[0].allow-cleartext-password", "false");
            assertThat(config).containsEntry("pool.mode", "transaction");
            assertThat(config.values()).doesNotContain(ProxyFixture.PASSWORD, ADMIN_PASSWORD);
            boolean clientConnections = false;
            try (ResultSet rs = admin.createStatement().executeQuery("SHOW METRICS")) {
                while (rs.next()) {
                    if (rs.getString("name").equals("sluice_build_info")) {
                        assertThat(rs.getString("labels")).startsWith("version=\"");
                        assertThat(rs.getDouble("value")).isEqualTo(1.0);
                    }
                    clientConnections |= rs.getString("name").equals("sluice_client_connections");
                }
            }
            assertThat(clientConnections).isTrue();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void apiSessionsIsJson() throws Exception {
        try (Connection app = fixture.mariadb("")) {
            app.setAutoCommit(false);
            query(app, "SELECT COUNT(*) FROM t");
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + fixture.proxy.httpAddress().getPort() + "/api/sessions"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
            List<Object> sessions = (List<Object>) Json.parse(r.body());
            assertThat(sessions).anySatisfy(o -> {
                Map<String, Object> s = (Map<String, Object>) o;
                assertThat(s.keySet())
                        .containsExactly(
                                "id",
                                "user",
                                "client",
                                "database",
                                "state",
                                "pinned",
                                "statement",
                                "statement_ms",
                                "server",
                                "server_thread");
                assertThat(s.get("id")).isInstanceOf(Long.class);
                assertThat(s.get("user")).isEqualTo(ProxyFixture.USER);
                assertThat(s.get("state")).isEqualTo("in transaction");
                assertThat(s.get("statement")).isNull();
            });
            app.rollback();
            List<Object> servers = (List<Object>) Json.parse(get("/api/servers"));
            assertThat(servers)
                    .singleElement()
                    .satisfies(o ->
                            assertThat(((Map<String, Object>) o).get("name")).isEqualTo(ProxyFixture.SERVER));
            assertThat(Json.parse(get("/api/pools"))).isInstanceOf(List.class);
            assertThat(get("/api/config")).doesNotContain(ProxyFixture.PASSWORD);
        }
    }

    /** pool.mode session: a session holds its connection for life, so OFFLINE SOFT lets it go on; a new one is refused. */
    @Test
    void offlineSoftInSessionMode() throws Exception {
        ProxyConfig config = ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.SESSION)
                .withAdmin(new AdminConfig(
                        new ListenerConfig("127.0.0.1", 0),
                        List.of(UserConfig.of(ADMIN, ADMIN_PASSWORD)),
                        ProxyFixture.NO_TLS));
        try (ProxyFixture session = new ProxyFixture(db.sandbox(), config);
                Connection held = session.mysql("");
                Connection admin = DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:"
                                + session.proxy.adminAddress().getPort() + "/",
                        ADMIN,
                        ADMIN_PASSWORD)) {
            assertThat(admin.createStatement().executeUpdate("SET SERVER " + ProxyFixture.SERVER + " OFFLINE SOFT"))
                    .isZero();
            assertThat(query(held, "SELECT 41 + 1")).isEqualTo("42");
            Throwable refused = catchFailure(() -> {
                try (Connection c = session.mysql("")) {
                    query(c, "SELECT 1");
                }
            });
            assertThat(sqlCode(refused)).as(String.valueOf(refused)).isEqualTo(ProxyErrors.SERVER_OFFLINE);
            admin.createStatement().executeUpdate("SET SERVER " + ProxyFixture.SERVER + " ONLINE");
            try (Connection c = session.mysql("")) {
                assertThat(query(c, "SELECT 2")).isEqualTo("2");
            }
        }
    }

    /** admin.tls not set: the admin port offers the main port's TLS (here its self-signed certificate), and requires it when that does. */
    @Test
    void tlsAsOnTheMainPort() throws Exception {
        ClientTlsConfig required = new ClientTlsConfig(true, null, null, true);
        ProxyConfig config = ProxyFixture.config(db.sandbox(), required, false)
                .withAdmin(new AdminConfig(
                        new ListenerConfig("127.0.0.1", 0), List.of(UserConfig.of(ADMIN, ADMIN_PASSWORD)), required));
        try (ProxyFixture tls = new ProxyFixture(db.sandbox(), config)) {
            String url =
                    "jdbc:mysql://127.0.0.1:" + tls.proxy.adminAddress().getPort() + "/?allowPublicKeyRetrieval=true";
            try (Connection c = DriverManager.getConnection(url + "&sslMode=REQUIRED", ADMIN, ADMIN_PASSWORD)) {
                assertThat(query(c, "SELECT @@version_comment")).isEqualTo("Sluice admin interface");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(url + "&sslMode=DISABLED", ADMIN, ADMIN_PASSWORD))
                    .isInstanceOfSatisfying(
                            SQLException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(ProxyErrors.SECURE_TRANSPORT_REQUIRED));
        }
    }

    // ---- helpers ----

    static Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + adminPort() + "/", ADMIN, ADMIN_PASSWORD);
    }

    static String get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + fixture.proxy.httpAddress().getPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .body();
    }

    static Map<String, String> serversRow(Connection admin) throws SQLException {
        try (ResultSet rs = admin.createStatement().executeQuery("SHOW SERVERS")) {
            assertThat(rs.next()).isTrue();
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
            }
            return row;
        }
    }

    /** Closes a connection whose session an operator ended (the driver's rollback at close finds no link). */
    static void closeEnded(Connection c) {
        try {
            c.close();
        } catch (SQLException expected) {
            // "Communications link failure during rollback()": the session is gone, as the test made it
        }
    }

    static long onlySessionId() throws Exception {
        try (Connection admin = admin();
                ResultSet rs = admin.createStatement().executeQuery("SHOW SESSIONS")) {
            assertThat(rs.next()).isTrue();
            long id = rs.getLong("id");
            assertThat(rs.next()).as("one session").isFalse();
            return id;
        }
    }

    /** The id of the session running {@code statement}, once SHOW SESSIONS shows it running. */
    static long awaitSessionRunning(String statement) throws Exception {
        long[] id = {-1};
        try (Connection admin = admin()) {
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        try (ResultSet rs = admin.createStatement().executeQuery("SHOW SESSIONS")) {
                            while (rs.next()) {
                                if ("in statement".equals(rs.getString("state"))
                                        && statement.equals(rs.getString("statement"))) {
                                    assertThat(rs.getLong("statement_ms")).isNotNegative();
                                    id[0] = rs.getLong("id");
                                    return true;
                                }
                            }
                        }
                        return false;
                    });
        }
        return id[0];
    }

    static CompletableFuture<Object> runAsync(Connection c, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return query(c, sql);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    static Throwable failureOf(CompletableFuture<Object> f) throws Exception {
        try {
            Object v = f.get(15, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static Throwable catchFailure(Action a) {
        try {
            a.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    /** The error code of the first SQLException in the chain, or -1. */
    static int sqlCode(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e && e.getErrorCode() != 0) {
                return e.getErrorCode();
            }
        }
        return -1;
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return String.valueOf(s.getUpdateCount());
            }
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The CLI in batch mode on the admin port: tab-separated, a header line, NULL as NULL. */
    static String cli(String sql) {
        return ProgramRun.mariadb(adminPort(), ADMIN, ADMIN_PASSWORD, List.of("--skip-ssl"), sql)
                .outAndErr();
    }

    static List<Map<String, String>> tabRows(String output) {
        List<String> lines = output.lines().toList();
        String[] header = lines.get(0).split("\t", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < values.length; i++) {
                row.put(header[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
