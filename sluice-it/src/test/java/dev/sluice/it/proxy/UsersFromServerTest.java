package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.config.UsersFromServerConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * users-from-server (issue 13, item 9): clients log in through Sluice as accounts created on the server, which
 * Sluice's configuration does not name. The periodic refresh is 10 minutes, far beyond any test: an account created
 * during the test is found by the refresh its first login asks for.
 */
class UsersFromServerTest {
    private static final String SERVICE_USER = "sluice_accounts";
    private static final String SERVICE_PASSWORD = "svc-pw";
    private static final Duration PERIODIC = Duration.ofMinutes(10);
    private static final Duration MIN_REFRESH = Duration.ofMillis(200);
    /** A login waiting for a refresh takes a load at most (login and one query, well under this). */
    private static final long LOGIN_BOUND_MS = 10_000;

    private static final int ACCESS_DENIED = 1045;
    private static final int NOT_SUPPORTED_AUTH_MODE = 1251;
    private static final int ACCOUNT_LOCKED = 4151;
    private static final int MUST_CHANGE_PASSWORD = 1820;
    private static final int MUST_CHANGE_PASSWORD_LOGIN = 1862;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("userstat", "ON") // logins per user: how many loads the service account made
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE USER '" + SERVICE_USER + "'@'%' IDENTIFIED BY '" + SERVICE_PASSWORD + "'",
                    "GRANT SELECT ON mysql.global_priv TO '" + SERVICE_USER + "'@'%'",
                    // configured in Sluice with a password of its own, mapped to app: the configuration wins
                    "CREATE USER 'shadowed'@'%' IDENTIFIED BY 'server-side'",
                    "GRANT ALL ON test.* TO 'shadowed'@'%'")
            .build();

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), config(ProxyConfig.NATIVE_PASSWORD));
    }

    private static ProxyConfig config(String clientAuthPlugin) {
        ProxyConfig base = ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false);
        List<UserConfig> users = new ArrayList<>(base.users());
        users.add(new UserConfig("shadowed", "sluice-side", null, ProxyFixture.USER, ProxyFixture.PASSWORD));
        return new ProxyConfig(
                        base.listeners(),
                        base.servers(),
                        users,
                        base.clientTls(),
                        base.timeouts(),
                        Limits.defaults(),
                        false,
                        base.pool(),
                        clientAuthPlugin,
                        0)
                .withUsersFromServer(new UsersFromServerConfig(SERVICE_USER, SERVICE_PASSWORD, PERIODIC, MIN_REFRESH))
                .withHttp(HttpConfig.of("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static void onServer(String... statements) {
        for (String sql : statements) {
            db.sandbox().execute(sql);
        }
    }

    private static void createAccount(String user, String host, String password) {
        onServer(
                "CREATE USER '" + user + "'@'" + host + "' IDENTIFIED BY '" + password + "'",
                "GRANT SELECT ON test.* TO '" + user + "'@'" + host + "'");
    }

    private static Connection mysql(int port, String user, String password) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:" + port + "/test?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                user,
                password);
    }

    private static Connection mariadb(int port, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/test", user, password);
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The error of a login (and a first statement, in case the server connection opens then). */
    private static SQLException loginError(String user, String password) {
        return loginError(fixture.port(), user, password);
    }

    /** Refused with ERR 1045 as a server words it: Sluice's own answer (not a server's refusal of Sluice's login). */
    private static SQLException assertAccessDenied(String user, String password) {
        SQLException e = loginError(user, password);
        assertThat(e.getErrorCode()).isEqualTo(ACCESS_DENIED);
        assertThat(e.getSQLState()).isEqualTo("28000");
        assertThat(e.getMessage())
                .contains("Access denied for user '" + user + "'@'127.0.0.1' (using password: YES)")
                .doesNotContain("sluice: server");
        return e;
    }

    /** At {@code port}: Sluice's, or the sandbox's for the server's own answer. */
    private static SQLException loginError(int port, String user, String password) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> {
            try (Connection c = mysql(port, user, password)) {
                currentUser(c);
            }
        });
        if (e == null) {
            throw new AssertionError(user + " logged in at port " + port + ", expected a refusal");
        }
        return e;
    }

    @Test
    void anAccountCreatedOnTheServerLogsInAtOnceAndRunsAsItself() throws Exception {
        createAccount("app2", "%", "pw2");
        long start = System.nanoTime();
        try (Connection c = mysql(fixture.port(), "app2", "pw2")) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("login waiting for the refresh, ms").isLessThan(LOGIN_BOUND_MS);
            assertThat(currentUser(c)).isEqualTo("app2@%");
        }
    }

    /** The service account's logins so far: one per load of the accounts. */
    private static long loads() {
        String n = db.sandbox()
                .execute("SELECT TOTAL_CONNECTIONS FROM information_schema.USER_STATISTICS WHERE USER = '"
                        + SERVICE_USER + "'")
                .strip();
        return n.isEmpty() ? 0 : Long.parseLong(n);
    }

    /** Logins of unknown users at once share loads: a load serves every login that asked before it started. */
    @Test
    void aBurstOfUnknownUsersSharesLoads() throws Exception {
        int logins = 24;
        assertAccessDenied("settle", "x"); // waits for a load that started after any earlier one (the first included)
        long before = loads();
        long start = System.nanoTime();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(logins);
        try {
            List<java.util.concurrent.Future<SQLException>> results = new ArrayList<>();
            for (int i = 0; i < logins; i++) {
                String user = "burst_" + i;
                results.add(pool.submit(() -> loginError(user, "x")));
            }
            for (java.util.concurrent.Future<SQLException> r : results) {
                assertThat(r.get(60, java.util.concurrent.TimeUnit.SECONDS).getErrorCode())
                        .isEqualTo(ACCESS_DENIED);
            }
        } finally {
            pool.shutdownNow();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        long made = loads() - before;
        // one running when the burst began, then at most one per interval while it lasted
        long allowed = 2 + elapsedMs / MIN_REFRESH.toMillis();
        assertThat(made)
                .as("loads during %d ms", elapsedMs)
                .isBetween(1L, allowed)
                .isLessThan(logins);
    }

    /** One unknown user after another: each waits for a load of its own, and loads start min-refresh-interval apart. */
    @Test
    void loadsAskedForOneAfterAnotherAreRateLimited() {
        int logins = 5;
        assertAccessDenied("settle", "x"); // waits for a load that started after any earlier one (the first included)
        long before = loads();
        long start = System.nanoTime();
        for (int i = 0; i < logins; i++) {
            assertAccessDenied("one_after_another_" + i, "x");
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(loads() - before).as("loads").isEqualTo(logins);
        assertThat(elapsedMs)
                .as("ms for %d logins", logins)
                .isGreaterThanOrEqualTo((logins - 1) * MIN_REFRESH.toMillis());
    }

    @Test
    void aWrongPasswordIsRefusedAsTheServerRefusesIt() {
        createAccount("app_wrong", "%", "right");
        assertAccessDenied("app_wrong", "wrong");
    }

    @Test
    void anUnknownUserGetsTheSameAnswerAsAWrongPassword() {
        assertAccessDenied("nobody_here", "x");
    }

    @Test
    void aDroppedAccountCannotLogInAfterTheNextRefresh() throws Exception {
        createAccount("app_drop", "%", "pw");
        try (Connection c = mysql(fixture.port(), "app_drop", "pw")) {
            assertThat(currentUser(c)).isEqualTo("app_drop@%");
        }
        onServer("DROP USER 'app_drop'@'%'");
        // a login as a user nobody has asks for a refresh and waits for it: the accounts are read again after the drop
        assertThat(loginError("no_such_user_refresh", "x").getErrorCode()).isEqualTo(ACCESS_DENIED);

        // Sluice's own refusal (no longer loaded), not the server's refusal of Sluice's login (which names the server)
        assertAccessDenied("app_drop", "pw");
    }

    @Test
    void aLockedAccountIsRefusedAsMariaDbRefusesIt() throws Exception {
        createAccount("app_locked", "%", "pw");
        onServer("ALTER USER 'app_locked'@'%' ACCOUNT LOCK");
        loginError("no_such_user_refresh", "x"); // a refresh after the lock, whatever was loaded before
        SQLException direct = loginError(db.sandbox().port(), "app_locked", "pw");

        SQLException e = loginError("app_locked", "pw");

        assertThat(e.getErrorCode()).isEqualTo(ACCOUNT_LOCKED).isEqualTo(direct.getErrorCode());
        assertThat(e.getSQLState()).isEqualTo(direct.getSQLState());
        assertThat(e.getMessage()).isEqualTo(direct.getMessage()).contains("this account is locked");
        // and with a wrong password, 1045: the lock is not shown to who does not know the password
        assertThat(loginError("app_locked", "wrong").getErrorCode()).isEqualTo(ACCESS_DENIED);
    }

    /** An expired password: Sluice lets the server answer its login as the account, so the client sees that. */
    @Test
    void anExpiredPasswordGetsTheServersAnswer() {
        createAccount("app_expired", "%", "pw");
        onServer("ALTER USER 'app_expired'@'%' PASSWORD EXPIRE");
        SQLException direct = loginError(db.sandbox().port(), "app_expired", "pw");

        SQLException e = loginError("app_expired", "pw");

        assertThat(e.getErrorCode())
                .isEqualTo(direct.getErrorCode())
                .isIn(MUST_CHANGE_PASSWORD, MUST_CHANGE_PASSWORD_LOGIN);
    }

    @Test
    void aHostPatternThatExcludesTheClientRefusesIt() {
        createAccount("app3", "10.%", "pw3");
        assertAccessDenied("app3", "pw3");
    }

    @Test
    void theMostSpecificHostPatternIsTheOneChecked() throws Exception {
        createAccount("app4", "%", "any-host");
        createAccount("app4", "127.0.0.1", "this-host");
        try (Connection c = mysql(fixture.port(), "app4", "this-host")) {
            assertThat(currentUser(c)).isEqualTo("app4@127.0.0.1");
        }
        assertThat(loginError("app4", "any-host").getErrorCode()).isEqualTo(ACCESS_DENIED);
    }

    @Test
    void aConfiguredUserTakesPrecedenceOverTheServersAccount() throws Exception {
        try (Connection c = mysql(fixture.port(), "shadowed", "sluice-side")) {
            assertThat(currentUser(c)).isEqualTo(ProxyFixture.USER + "@%");
        }
        assertThat(loginError("shadowed", "server-side").getErrorCode()).isEqualTo(ACCESS_DENIED);
    }

    @Test
    void anAccountOfAnotherPluginIsRefusedSayingWhy() {
        onServer("CREATE USER 'socket_user'@'%' IDENTIFIED VIA unix_socket");
        SQLException e = loginError("socket_user", "x");
        assertThat(e.getErrorCode()).isEqualTo(NOT_SUPPORTED_AUTH_MODE);
        assertThat(e.getMessage()).contains("unix_socket").contains("mysql_native_password only");
    }

    @Test
    void mariadbConnectorJLogsInAsALoadedAccount() throws Exception {
        createAccount("app_mdb", "%", "pw-mdb");
        try (Connection c = mariadb(fixture.port(), "app_mdb", "pw-mdb")) {
            assertThat(currentUser(c)).isEqualTo("app_mdb@%");
        }
    }

    @Test
    void theMariadbCliLogsInAsALoadedAccount() {
        createAccount("app_cli", "%", "pw-cli");
        ProgramRun run = ProgramRun.run(
                List.of(
                        "mariadb",
                        "--no-defaults",
                        "-h127.0.0.1",
                        "-P" + fixture.port(),
                        "-uapp_cli",
                        "-ppw-cli",
                        "--batch",
                        "--skip-column-names",
                        "-e",
                        "SELECT CURRENT_USER()"),
                Duration.ofSeconds(60));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(new String(run.stdout(), StandardCharsets.UTF_8).strip()).isEqualTo("app_cli@%");
    }

    /** A client that starts with caching_sha2_password (announced by Sluice) is switched to mysql_native_password. */
    @Test
    void clientsStartingWithCachingSha2AreSwitchedToNative() throws Exception {
        createAccount("app_sha2", "%", "pw-sha2");
        try (ProxyFixture sha2 = new ProxyFixture(db.sandbox(), config(ProxyConfig.CACHING_SHA2_PASSWORD))) {
            try (Connection c = mysql(sha2.port(), "app_sha2", "pw-sha2")) {
                assertThat(currentUser(c)).isEqualTo("app_sha2@%");
            }
            try (Connection c = mariadb(sha2.port(), "app_sha2", "pw-sha2")) {
                assertThat(currentUser(c)).isEqualTo("app_sha2@%");
            }
        }
    }

    /** CREATE USER, then COM_CHANGE_USER to it at once: the change waits for a refresh, as a login does. */
    @Test
    void changeUserToAnAccountJustCreatedRunsAsIt() throws Exception {
        createAccount("app_change", "%", "pw-change");
        try (Connection c = fixture.mysql("")) {
            c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser("app_change", "pw-change");
            assertThat(currentUser(c)).isEqualTo("app_change@%");
        }
    }

    @Test
    void changeUserToALoadedAccountChecksPasswordAndLock() throws Exception {
        createAccount("app_change_locked", "%", "pw");
        onServer("ALTER USER 'app_change_locked'@'%' ACCOUNT LOCK");
        assertAccessDenied("settle_change", "x"); // a load after the lock
        int[] codes = new int[2];
        String[] passwords = {"wrong", "pw"};
        for (int i = 0; i < 2; i++) {
            try (Connection c = fixture.mysql("")) {
                String password = passwords[i];
                SQLException e = catchThrowableOfType(
                        SQLException.class,
                        () -> c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class)
                                .changeUser("app_change_locked", password));
                codes[i] = e == null ? 0 : e.getErrorCode();
            }
        }
        assertThat(codes).containsExactly(ACCESS_DENIED, ACCOUNT_LOCKED);
    }

    @Test
    void changeUserToAnUnknownUserIsRefusedAsAWrongPassword() throws Exception {
        try (Connection c = fixture.mysql("")) {
            SQLException e = catchThrowableOfType(
                    SQLException.class,
                    () -> c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser("nobody_changes", "x"));
            assertThat(e.getErrorCode()).isEqualTo(ACCESS_DENIED);
            assertThat(e.getMessage()).contains("Access denied for user 'nobody_changes'@'127.0.0.1'");
        }
    }

    /**
     * A password changed on the server: once the accounts are read again the new one logs in, on server connections
     * opened with it (the pool of the old one, whose connection is still in use here, is not asked for one), and the
     * old one is refused.
     */
    @Test
    void aChangedPasswordWorksAfterTheNextRefresh() throws Exception {
        createAccount("app_rotate", "%", "old-pw");
        try (Connection old = mysql(fixture.port(), "app_rotate", "old-pw");
                Statement st = old.createStatement()) {
            st.execute("BEGIN");
            st.executeQuery("SELECT 1").close(); // holds its server connection until the end of the transaction
            onServer("ALTER USER 'app_rotate'@'%' IDENTIFIED BY 'new-pw'");
            assertAccessDenied("settle_rotate", "x"); // a load after the change

            try (Connection renewed = mysql(fixture.port(), "app_rotate", "new-pw")) {
                assertThat(currentUser(renewed)).isEqualTo("app_rotate@%");
            }
            assertAccessDenied("app_rotate", "old-pw");
            st.execute("COMMIT");
        }
    }

    /** The metrics: how many accounts are loaded, and each load counted. */
    @Test
    void metricsCountTheLoadsAndTheAccounts() throws Exception {
        assertAccessDenied("settle_metrics", "x");
        double before = metric("sluice_users_from_server_loads_total{result=\"ok\"}");
        createAccount("app_metrics", "%", "pw");
        assertAccessDenied("asks_for_a_load", "x");

        assertThat(metric("sluice_users_from_server_loads_total{result=\"ok\"}"))
                .isEqualTo(before + 1);
        assertThat(metric("sluice_users_from_server_loads_total{result=\"failed\"}"))
                .isZero();
        long accounts = Long.parseLong(db.sandbox()
                .execute("SELECT COUNT(*) FROM mysql.global_priv WHERE User <> ''"
                        + " AND IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false') NOT IN ('true', '1')")
                .strip());
        assertThat(metric("sluice_users_from_server_accounts")).isEqualTo(accounts);
    }

    /** One sample of /metrics (Prometheus text format), by its name and labels as written there. */
    private static double metric(String sample) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                        + fixture.proxy.httpAddress().getPort() + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body()
                .lines()
                .filter(l -> l.startsWith(sample + " "))
                .mapToDouble(
                        l -> Double.parseDouble(l.substring(sample.length() + 1).strip()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in /metrics"));
    }
}
