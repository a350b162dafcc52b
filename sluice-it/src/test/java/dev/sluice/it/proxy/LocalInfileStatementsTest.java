package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.TlsMode;
import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.proxy.RawClient.RawPacket;
import dev.sluice.protocol.Capability;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * LOAD DATA LOCAL INFILE as statements are really written (issue 10, items 4 and 8): file names with quotes and
 * backslashes (the server unescapes the literal; the guard must too), a statement after a comment or after another
 * statement of a multi-statement text, a prepared LOAD DATA LOCAL (MariaDB asks for the file in answer to
 * COM_STMT_EXECUTE), and a refusal inside a multi-statement text, after which the connection must stay in step.
 */
class LocalInfileStatementsTest {
    private static final String INTO = " INTO TABLE li FIELDS TERMINATED BY '\\t' (id, v)";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .option("local_infile", "ON")
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE TABLE test.li (id INT PRIMARY KEY, v VARCHAR(255))")
            .build();

    static ProxyFixture disabled;
    static ProxyFixture enabled;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        disabled = new ProxyFixture(db.sandbox(), false, 0);
        enabled = new ProxyFixture(db.sandbox(), true, 0);
    }

    @AfterAll
    static void stop() {
        disabled.close();
        enabled.close();
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        try (Connection c = enabled.direct("mariadb", "");
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM li");
        }
    }

    private static Path file(String name, int id) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, id + "\t" + name.replace("\\", "\\\\") + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** The file name as a SQL literal body, backslashes and quotes escaped as the server reads them. */
    private static String escaped(Path f, String quoteEscape) {
        return f.toString().replace("\\", "\\\\").replace("'", quoteEscape);
    }

    @Test
    void fileNamesWithQuotesAndBackslashesAreRelayed() throws Exception {
        Path quote = file("it's.tsv", 1);
        Path backslash = file("back\\slash.tsv", 2);
        // MySQL Connector/J: MariaDB Connector/J checks the server's file name against the raw SQL text itself
        try (Connection c = enabled.mysql("allowLoadLocalInfile=true");
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("LOAD DATA LOCAL INFILE '" + escaped(quote, "''") + "'" + INTO))
                    .isEqualTo(1);
            s.execute("DELETE FROM li");
            assertThat(s.executeUpdate("LOAD DATA LOCAL INFILE '" + escaped(quote, "\\'") + "'" + INTO))
                    .isEqualTo(1);
            assertThat(s.executeUpdate("LOAD DATA LOCAL INFILE '" + escaped(backslash, "''") + "'" + INTO))
                    .isEqualTo(1);
        }
        assertThat(values()).containsExactly("it's.tsv", "back\\slash.tsv");
    }

    @Test
    void underNoBackslashEscapesABackslashIsPartOfTheName() throws Exception {
        Path backslash = file("nbe\\name.tsv", 3);
        try (Connection c = enabled.mysql("allowLoadLocalInfile=true");
                Statement s = c.createStatement()) {
            s.execute("SET sql_mode = 'NO_BACKSLASH_ESCAPES'");
            assertThat(s.executeUpdate("LOAD DATA LOCAL INFILE '" + backslash + "' INTO TABLE li (id, v)"))
                    .isEqualTo(1);
        }
        assertThat(values()).hasSize(1);
    }

    @Test
    void loadAfterACommentAndAfterAnotherStatementIsRecognised() throws Exception {
        Path a = file("after-comment.tsv", 1);
        Path b = file("in-batch.tsv", 2);
        try (Connection c = enabled.mariadb("allowLocalInfile=true&allowMultiQueries=true");
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("/* app */ LOAD DATA LOCAL INFILE '" + a + "'" + INTO))
                    .isEqualTo(1);
            assertThat(s.execute("SELECT 1; LOAD DATA LOCAL INFILE '" + b + "'" + INTO))
                    .isTrue();
            assertThat(s.getMoreResults()).isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(1);
        }
        assertThat(values()).containsExactly("after-comment.tsv", "in-batch.tsv");
    }

    @Test
    void disabledRefusesALoadAfterACommentItselfAndNeverReadsTheStream() throws Exception {
        try (Connection c = disabled.mariadb("allowLocalInfile=true&allowMultiQueries=true");
                Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "/* app */ LOAD DATA LOCAL INFILE 'x.tsv'" + INTO, "DO 1; LOAD DATA LOCAL INFILE 'x.tsv'" + INTO)) {
                s.unwrap(org.mariadb.jdbc.Statement.class)
                        .setLocalInfileInputStream(
                                new ByteArrayInputStream("9\tnever\n".getBytes(StandardCharsets.UTF_8)));
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1148);
                    assertThat(e.getMessage()).contains("sluice: LOAD DATA LOCAL INFILE is disabled");
                });
            }
        }
        assertThat(values()).isEmpty();
    }

    /** MariaDB answers COM_STMT_EXECUTE of a prepared LOAD DATA LOCAL with the file request. */
    @Test
    void aPreparedLoadDataLocalIsRelayed() throws Exception {
        Path f = file("prepared.tsv", 7);
        try (Connection c = enabled.mariadb("allowLocalInfile=true&useServerPrepStmts=true");
                PreparedStatement ps = c.prepareStatement("LOAD DATA LOCAL INFILE '" + f + "'" + INTO)) {
            assertThat(ps.executeUpdate()).isEqualTo(1);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 'still in step'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("still in step");
            }
        }
        assertThat(values()).containsExactly("prepared.tsv");
    }

    /**
     * A hostile server asks for another file in answer to {@code LOAD DATA LOCAL ...; SELECT 1}, then sends the
     * result of {@code SELECT 1}: the client gets the ERR, which ends the response, and nothing after it; its next
     * command gets its own answer.
     */
    @Test
    void aRefusalInsideAMultiStatementTextEndsTheResponseAndTheSessionStaysInStep() {
        try (LocalInfileFakeServer fake = new LocalInfileFakeServer("/etc/passwd", true)) {
            ProxyServer proxy = ProxyServer.start(ProxyFixture.withMode(
                    new ProxyConfig(
                            List.of(new ListenerConfig("127.0.0.1", 0)),
                            List.of(new ServerConfig("hostile", "127.0.0.1", fake.port(), TlsMode.DISABLED)),
                            List.of(UserConfig.of(ProxyFixture.USER, ProxyFixture.PASSWORD)),
                            ClientTlsConfig.selfSigned(),
                            Timeouts.defaults(),
                            Limits.defaults(),
                            true),
                    PoolMode.SESSION)); // the scripted server answers every query with a file request, set-up's too
            try (RawClient client = RawClient.login(
                    proxy.addresses().get(0).getPort(),
                    ProxyFixture.USER,
                    ProxyFixture.PASSWORD,
                    null,
                    RawClient.CAPABILITIES
                            | Capability.CLIENT_LOCAL_FILES
                            | Capability.CLIENT_MULTI_STATEMENTS
                            | Capability.CLIENT_MULTI_RESULTS
                            | Capability.CLIENT_DEPRECATE_EOF)) { // the fake sends no EOFs
                client.sendQuery("LOAD DATA LOCAL INFILE '/tmp/innocent.tsv' INTO TABLE li; SELECT 1");
                RawPacket answer = client.read();
                assertThat(answer.isErr()).as("answer 0x%02x", answer.first()).isTrue();
                assertThat(answer.err().errorCode()).isEqualTo(1148);
                assertThat(answer.err().message())
                        .contains("'/etc/passwd'")
                        .contains("the statements after it in this text ran on the server");

                client.writePacket(0, new byte[] {0x0E}); // COM_PING
                RawPacket pong = client.read();
                assertThat(pong.first())
                        .as("the first packet after the ERR answers the ping: %s", pong.isErr() ? pong.err() : null)
                        .isZero();
                assertThat(pong.sequenceId()).isEqualTo(1);
            } finally {
                proxy.close();
            }
        }
    }

    private static List<String> values() throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = enabled.direct("mariadb", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT v FROM li ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
