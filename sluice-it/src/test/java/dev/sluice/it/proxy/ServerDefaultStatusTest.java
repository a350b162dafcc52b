package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The login OK Sluice writes carries the state the server's sessions start in, as the server's own would (DESIGN
 * invariant 11; issue 10 item 5). Behind a server whose sessions start with autocommit off ({@code --autocommit=0}),
 * a driver that wants autocommit on (the JDBC default) sends {@code SET autocommit=1} only if the login OK says it is
 * off; told "autocommit" by a fixed flag, it sends nothing, and every insert of the application stays in a
 * transaction that is rolled back when the connection closes.
 */
class ServerDefaultStatusTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.saved (id INT PRIMARY KEY, who VARCHAR(40)) ENGINE=InnoDB")
            .option("autocommit", "0")
            .build();

    static final AtomicInteger IDS = new AtomicInteger();
    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static boolean saved(int id) throws Exception {
        try (Connection direct = Driver.MARIADB.direct(fixture, "");
                Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM saved WHERE id = " + id)) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static int insertWithDefaultAutocommit(Connection c, Driver driver) throws Exception {
        int id = IDS.incrementAndGet();
        try (c;
                Statement s = c.createStatement()) {
            assertThat(c.getAutoCommit()).isTrue();
            s.executeUpdate("INSERT INTO saved VALUES (" + id + ", '" + driver.name() + "')");
        }
        return id;
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void anInsertInAutocommitModeIsCommittedAsDirectly(Driver driver) throws Exception {
        int direct = insertWithDefaultAutocommit(driver.direct(fixture, ""), driver);
        assertThat(saved(direct)).as("%s straight to the server", driver).isTrue();
        int proxied = insertWithDefaultAutocommit(driver.viaSluice(fixture, ""), driver);
        assertThat(saved(proxied)).as("%s through Sluice", driver).isTrue();
    }
}
