package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server account whose password expired (issue 10, item 8), behind Sluice. Sluice authenticates clients against
 * its own users and logs in to the server as the mapped account, so the expiry that can show is that account's:
 * the server puts a login that says it can handle an expired password (CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS) in
 * sandbox mode, and refuses one that does not with ERR 1862 (disconnect_on_expired_password=ON, MySQL's default).
 * A client of Sluice sees what it sees connecting to the server directly as that account: with the capability
 * (the drivers' {@code disconnectOnExpiredPasswords=false}) it logs in, every statement gets 1820 until it sets
 * the password, after which it works; without, its connection fails with 1862.
 */
class ExpiredPasswordTest {
    /** Sluice's user for each server account: same name, its own password (Sluice's users do not expire). */
    private static final String SLUICE_PASSWORD = "sluice-side";

    private static final String SERVER_PASSWORD = "old";
    private static final int MUST_CHANGE_PASSWORD = 1820;
    private static final int MUST_CHANGE_PASSWORD_LOGIN = 1862;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("disconnect_on_expired_password", "ON")
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(initSql())
            .build();

    private static ProxyFixture fixture;

    /** One expired account per driver and case, so that one test's password change leaves the others expired. */
    private static List<String> accounts() {
        List<String> names = new ArrayList<>();
        for (Driver d : Driver.values()) {
            names.add("sandboxed_" + d.name().toLowerCase());
            names.add("refused_" + d.name().toLowerCase());
        }
        return names;
    }

    private static String[] initSql() {
        List<String> sql = new ArrayList<>(List.of("CREATE DATABASE test"));
        for (String account : accounts()) {
            sql.add("CREATE USER '" + account + "'@'%' IDENTIFIED BY '" + SERVER_PASSWORD + "'");
            sql.add("GRANT ALL ON test.* TO '" + account + "'@'%'");
            sql.add("ALTER USER '" + account + "'@'%' PASSWORD EXPIRE");
        }
        return sql.toArray(String[]::new);
    }

    @BeforeAll
    static void start() {
        List<UserConfig> users = new ArrayList<>(List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD)));
        for (String account : accounts()) {
            users.add(new UserConfig(account, SLUICE_PASSWORD, null, account, SERVER_PASSWORD));
        }
        ProxyConfig config = new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                List.of(new ServerConfig(
                        ProxyFixture.SERVER, db.sandbox().host(), db.sandbox().port(), TlsMode.DISABLED)),
                users,
                ProxyFixture.NO_TLS,
                Timeouts.defaults(),
                Limits.defaults(),
                false);
        fixture = new ProxyFixture(db.sandbox(), config);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static Connection connect(Driver driver, int port, String account, String password, String params)
            throws SQLException {
        return DriverManager.getConnection(driver.url(port, params), account, password);
    }

    /** What a session in sandbox mode sees: the error of a statement, then a password change, then the statement. */
    private static List<String> sandboxSession(Connection c, String account) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.executeQuery("SELECT 1"));
            seen.add(
                    e == null
                            ? "SELECT 1 ran"
                            : "SELECT 1: " + e.getErrorCode() + " "
                                    + e.getMessage()
                                            .replaceAll("^\\(conn=\\d+\\) ", "")
                                            .replaceAll(" \\(sluice.*", ""));
            // the same password again: the account is valid from now on, and Sluice's configuration still fits it
            s.execute("SET PASSWORD = PASSWORD('" + SERVER_PASSWORD + "')");
            seen.add("password set");
            try (ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
                rs.next();
                seen.add("then: " + rs.getString(1));
            }
        } finally {
            db.sandbox().execute("ALTER USER '" + account + "'@'%' PASSWORD EXPIRE");
        }
        return seen;
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aClientThatHandlesExpiredPasswordsLogsInInSandboxModeAsDirectly(Driver driver) throws Exception {
        String account = "sandboxed_" + driver.name().toLowerCase();
        String params = "disconnectOnExpiredPasswords=false";
        List<String> direct;
        try (Connection c = connect(driver, db.sandbox().port(), account, SERVER_PASSWORD, params)) {
            direct = sandboxSession(c, account);
        }
        try (Connection c = connect(driver, fixture.port(), account, SLUICE_PASSWORD, params)) {
            assertThat(sandboxSession(c, account)).isEqualTo(direct);
        }
        assertThat(direct)
                .containsExactly(
                        "SELECT 1: " + MUST_CHANGE_PASSWORD + " You must SET PASSWORD before executing this statement",
                        "password set",
                        "then: " + account + "@%");
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aClientThatDoesNotIsRefusedWith1862AsDirectly(Driver driver) throws Exception {
        String account = "refused_" + driver.name().toLowerCase();
        SQLException direct = catchThrowableOfType(
                SQLException.class,
                () -> connect(driver, db.sandbox().port(), account, SERVER_PASSWORD, "")
                        .close());
        SQLException viaSluice = catchThrowableOfType(
                SQLException.class,
                () -> connect(driver, fixture.port(), account, SLUICE_PASSWORD, "")
                        .close());
        assertThat((Throwable) direct).as("directly").isNotNull();
        assertThat(direct.getErrorCode()).isEqualTo(MUST_CHANGE_PASSWORD_LOGIN);
        assertThat((Throwable) viaSluice).as("through Sluice").isNotNull();
        // Sluice's login OK comes before its server login, so the server's refusal answers the driver's first
        // statement; MariaDB Connector/J reports that as "Initialization command fail" caused by the 1862
        assertThat(codeOrCauses(viaSluice))
                .as("through Sluice: %s", viaSluice.getMessage())
                .contains(MUST_CHANGE_PASSWORD_LOGIN);
    }

    private static List<Integer> codeOrCauses(SQLException e) {
        List<Integer> codes = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                codes.add(s.getErrorCode());
            }
        }
        return codes;
    }
}
