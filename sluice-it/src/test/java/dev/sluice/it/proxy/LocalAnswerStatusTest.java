package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Sluice answers itself ({@code SHOW STATUS LIKE 'Ssl%'}) carries the session's real transaction state (DESIGN
 * invariant 11; issue 10 item 5). A driver takes the transaction state from the last packet of every result: an
 * answer saying "autocommit, no transaction" in the middle of a transaction makes MariaDB Connector/J (and MySQL
 * Connector/J with {@code useLocalTransactionState}) skip the COMMIT, and the insert is rolled back when the
 * connection closes.
 *
 * <p>Two Sluices in front of one sandbox: one passing results through, one that never asks the server for
 * CLIENT_DEPRECATE_EOF, so its relay translates every terminator while the local answer is written for the client's
 * own capabilities. The codec client compares the local answer's status flags with the server's own answer to a
 * status query, with and without DEPRECATE_EOF (the EOF-terminated form of the local answer).
 */
class LocalAnswerStatusTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.saved (id INT PRIMARY KEY, who VARCHAR(40)) ENGINE=InnoDB")
            .build();

    static final AtomicInteger IDS = new AtomicInteger();
    static ProxyFixture passThrough;
    static ProxyFixture translating;
    static EventLoopGroup group;
    static ServerConnector connector;

    @BeforeAll
    static void start() {
        passThrough = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
        translating = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false),
                Capability.CLIENT_DEPRECATE_EOF);
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    @AfterAll
    static void stop() {
        for (ProxyFixture f : new ProxyFixture[] {passThrough, translating}) {
            if (f != null) {
                f.close();
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static ProxyFixture fixture(boolean translate) {
        return translate ? translating : passThrough;
    }

    @ParameterizedTest(name = "{0}, translating EOFs: {1}")
    @CsvSource({"CONNECTOR_J, false", "CONNECTOR_J, true", "MARIADB, false", "MARIADB, true"})
    void aCommitAfterALocalAnswerCommits(Driver driver, boolean translate) throws Exception {
        int id = IDS.incrementAndGet();
        // Connector/J sends COMMIT whatever it believes unless told to trust the server's status flags
        String params = driver == Driver.CONNECTOR_J ? "useLocalTransactionState=true" : "";
        try (Connection c = driver.viaSluice(fixture(translate), params)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO saved VALUES (" + id + ", '" + driver.name() + "')");
                try (ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("Ssl_cipher");
                }
            }
            c.commit();
        }
        try (Connection direct = Driver.MARIADB.direct(passThrough, "");
                Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("SELECT who FROM saved WHERE id = " + id)) {
            assertThat(rs.next())
                    .as("the row committed through Sluice by %s", driver)
                    .isTrue();
            assertThat(rs.getString(1)).isEqualTo(driver.name());
        }
    }

    private static ServerConnection codec(int port, boolean deprecateEof) {
        return ProxyFixture.codec(connector, port, deprecateEof);
    }

    @ParameterizedTest(name = "client deprecateEof={0}, translating EOFs: {1}")
    @CsvSource({"true, false", "false, false", "true, true"})
    void theLocalAnswerCarriesTheServersSessionFlags(boolean deprecateEof, boolean translate) throws SQLException {
        // the server answers SHOW STATUS LIKE 'Threads_connected' itself: its flags are the reference
        List<String> direct;
        try (ServerConnection c = codec(db.sandbox().port(), deprecateEof)) {
            direct = statusScenario(c, "SHOW SESSION STATUS LIKE 'Threads_connected'");
        }
        List<String> local;
        try (ServerConnection c = codec(fixture(translate).port(), deprecateEof)) {
            assertThat(Capability.has(c.capabilities(), Capability.CLIENT_DEPRECATE_EOF))
                    .isEqualTo(deprecateEof);
            local = statusScenario(c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'");
        }
        assertThat(local).isEqualTo(direct);
        assertThat(local)
                .contains(
                        "in transaction: IN_TRANS AUTOCOMMIT",
                        "read-only transaction: IN_TRANS AUTOCOMMIT IN_TRANS_READONLY",
                        "autocommit off: ",
                        "no backslash escapes: AUTOCOMMIT NO_BACKSLASH_ESCAPES");
    }

    /** The session flags of a status query's answer in each state a driver tracks. */
    private static List<String> statusScenario(ServerConnection c, String statusQuery) {
        List<String> out = new ArrayList<>();
        out.add("fresh: " + flags(c, statusQuery));
        c.querySync("START TRANSACTION");
        c.querySync("INSERT INTO saved VALUES (" + (1_000_000 + IDS.incrementAndGet()) + ", 'codec')");
        out.add("in transaction: " + flags(c, statusQuery));
        c.querySync("ROLLBACK");
        out.add("after rollback: " + flags(c, statusQuery));
        c.querySync("START TRANSACTION READ ONLY");
        c.querySync("SELECT COUNT(*) FROM saved");
        out.add("read-only transaction: " + flags(c, statusQuery));
        c.querySync("COMMIT");
        c.querySync("SET autocommit = 0");
        out.add("autocommit off: " + flags(c, statusQuery));
        c.querySync("SET autocommit = 1");
        c.querySync("SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
        out.add("no backslash escapes: " + flags(c, statusQuery));
        return out;
    }

    private static String flags(ServerConnection c, String statusQuery) {
        int status = c.querySync(statusQuery).resultSet().statusFlags() & ServerStatus.SESSION_STATE;
        List<String> names = new ArrayList<>();
        if (ServerStatus.has(status, ServerStatus.IN_TRANS)) {
            names.add("IN_TRANS");
        }
        if (ServerStatus.has(status, ServerStatus.AUTOCOMMIT)) {
            names.add("AUTOCOMMIT");
        }
        if (ServerStatus.has(status, ServerStatus.NO_BACKSLASH_ESCAPES)) {
            names.add("NO_BACKSLASH_ESCAPES");
        }
        if (ServerStatus.has(status, ServerStatus.IN_TRANS_READONLY)) {
            names.add("IN_TRANS_READONLY");
        }
        return String.join(" ", names);
    }
}
