package dev.sluice.it.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.proxy.ProgramRun;
import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code SHOW DIGESTS} and {@code RESET DIGESTS} on the admin interface, after real statements through the main port:
 * through the mariadb CLI (ordered, limited) and Connector/J (typed columns); an unknown order column is an ERR naming
 * the columns; RESET DIGESTS empties the table.
 */
class AdminDigestsTest {
    private static final String ADMIN = "ops";
    private static final String ADMIN_PASSWORD = "ops-secret";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE TABLE test.t (id INT PRIMARY KEY, v INT)")
            .build();

    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        ProxyConfig config = ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.TRANSACTION)
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

    @Test
    void showDigestsOrderedAndLimitedThenReset() throws Exception {
        fixture.proxy.stats().digests().reset();
        try (Connection app = fixture.mysql("");
                Statement s = app.createStatement()) {
            for (int i = 0; i < 12; i++) {
                s.executeUpdate("INSERT INTO t VALUES (" + i + ", " + (i * 10) + ")");
            }
            for (int i = 0; i < 30; i++) {
                s.executeQuery("SELECT v FROM t WHERE id = " + (i % 12)).close();
            }
        }

        String byCount = cli("SHOW DIGESTS ORDER BY count DESC LIMIT 2");
        List<String> lines = byCount.lines().toList();
        assertThat(lines.get(0)).startsWith("digest\ttext\tuser\tschema\tgroup\tcount\terrors\t");
        assertThat(lines).as(byCount).hasSize(3); // the header and two rows
        assertThat(lines.get(1)).contains("\tselect v from t where id = ?\tapp\ttest\twriter\t30\t0\t");
        assertThat(lines.get(2)).contains("\tinsert into t values (...)\tapp\ttest\twriter\t12\t0\t");

        String ascending = cli("show digests order by count asc");
        assertThat(ascending.lines().skip(1).findFirst().orElseThrow()).doesNotContain("\t30\t0\t");

        try (Connection admin = DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:"
                                + fixture.proxy.adminAddress().getPort() + "/",
                        ADMIN,
                        ADMIN_PASSWORD);
                Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SHOW DIGESTS ORDER BY p99_us LIMIT 100")) {
            assertThat(rs.getMetaData().getColumnType(6))
                    .as("count is a number")
                    .isEqualTo(java.sql.Types.BIGINT);
            long rows = 0;
            List<String> texts = new ArrayList<>();
            while (rs.next()) {
                rows++;
                texts.add(rs.getString("text"));
                assertThat(rs.getLong("p99_us")).isGreaterThanOrEqualTo(rs.getLong("p50_us"));
            }
            assertThat(texts).contains("select v from t where id = ?", "insert into t values (...)");
            assertThat(rows).isEqualTo(fixture.proxy.stats().digests().size());

            SQLException bad = null;
            try {
                s.executeQuery("SHOW DIGESTS ORDER BY nonsense").close();
            } catch (SQLException e) {
                bad = e;
            }
            assertThat((Object) bad).isNotNull();
            assertThat(bad.getMessage()).contains("no column 'nonsense'").contains("p99_us");

            // the admin port's own statements are not the proxy's: the rows are those of the main port
            assertThat(s.executeUpdate("RESET DIGESTS")).isEqualTo((int) rows);
            try (ResultSet after = s.executeQuery("SHOW DIGESTS")) {
                assertThat(after.next()).as("a row after RESET DIGESTS").isFalse();
            }
        }
    }

    private static String cli(String sql) {
        ProgramRun run = ProgramRun.mariadb(
                fixture.proxy.adminAddress().getPort(), ADMIN, ADMIN_PASSWORD, List.of("--skip-ssl"), sql);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return run.outAndErr();
    }
}
