package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A result set wider than 65,535 columns (issue 10, item 8): {@code SELECT 0,1,...,69999} is legal in MariaDB and
 * its column count is a length-encoded integer (fd 70 11 01). Both drivers read it through Sluice as they do
 * straight from the server, and the connection stays usable; Sluice once refused it as a malformed column count
 * and dropped the connection.
 */
class WideResultTest {
    private static final int COLUMNS = 70_000;
    private static final String SELECT =
            IntStream.range(0, COLUMNS).mapToObj(Integer::toString).collect(Collectors.joining(",", "SELECT ", ""));

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void seventyThousandColumnsArriveAsFromTheServer(Driver driver) throws Exception {
        // MariaDB Connector/J refuses more than maxAllowedColumns (65,535) from any server unless told otherwise
        String params = driver == Driver.MARIADB ? "maxAllowedColumns=" + COLUMNS : "";
        String direct;
        try (Connection c = driver.direct(fixture, params)) {
            direct = read(c);
        }
        try (Connection c = driver.viaSluice(fixture, params)) {
            assertThat(read(c)).isEqualTo(direct).startsWith(COLUMNS + " columns: 0,1,2,");
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 'still usable'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still usable");
            }
        }
    }

    /** The column count, the first three and the last value of the one row, and the last column's label. */
    private static String read(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(SELECT)) {
            ResultSetMetaData md = rs.getMetaData();
            assertThat(rs.next()).isTrue();
            String out = md.getColumnCount() + " columns: " + rs.getInt(1) + "," + rs.getInt(2) + "," + rs.getInt(3)
                    + ",...," + rs.getInt(md.getColumnCount()) + " (last labelled "
                    + md.getColumnLabel(md.getColumnCount())
                    + ")";
            assertThat(rs.next()).isFalse();
            return out;
        }
    }
}
