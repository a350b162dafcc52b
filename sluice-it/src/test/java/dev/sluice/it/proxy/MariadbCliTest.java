package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's {@code mariadb} command-line client through Sluice, in batch mode (output byte-identical to the same
 * command run against the server directly) and interactively on a pseudo-terminal.
 */
class MariadbCliTest {
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Duration PROMPT = Duration.ofSeconds(15);
    private static final int BIG_ROWS = 200_000;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE DATABASE other",
                    "CREATE TABLE other.o (x INT)",
                    "INSERT INTO other.o VALUES (42)",
                    "CREATE TABLE test.t (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(8,2), note TEXT NULL,"
                            + " made DATETIME(3)) DEFAULT CHARSET utf8mb4",
                    // batch mode escapes tab, newline and backslash, and prints NULL: all must survive unchanged
                    "INSERT INTO test.t VALUES (1, 'plain', 1.50, NULL, '2024-02-29 12:34:56.789'),"
                            + " (2, 'tab\\there', -0.01, 'line\\nbreak', '1970-01-01 00:00:01.000'),"
                            + " (3, 'back\\\\slash', 999999.99, '', '9999-12-31 23:59:59.999'),"
                            // the setup file is read as latin1: 'ünïcødé ✓' is given as its UTF-8 bytes
                            + " (4, CONVERT(x'c3bc6ec3af63c3b864c3a920e29c93' USING utf8mb4), 0, 'x', NULL)",
                    "CREATE TABLE test.big (id INT PRIMARY KEY, s CHAR(32), d DECIMAL(12,3), t DATETIME)",
                    "INSERT INTO test.big SELECT seq, MD5(seq), seq / 7, '2024-01-01' + INTERVAL seq MINUTE"
                            + " FROM test.seq_1_to_" + BIG_ROWS)
            .build();

    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), false, 0);
    }

    @AfterAll
    static void stop() {
        try {
            fixture.assertNoProtocolViolations(); // real traffic: no false positive of the validator
        } finally {
            fixture.close();
        }
    }

    private static List<String> cli(int port, String password, String... options) {
        List<String> command = new ArrayList<>(List.of(
                "mariadb", "--no-defaults", "-h127.0.0.1", "-P" + port, "-u" + ProxyFixture.USER, "-p" + password));
        command.addAll(List.of(options));
        return command;
    }

    private static ProgramRun viaSluice(String... options) {
        return ProgramRun.run(cli(fixture.port(), ProxyFixture.PASSWORD, options), RUN);
    }

    private static ProgramRun direct(String... options) {
        return ProgramRun.run(cli(db.sandbox().port(), ProxyFixture.PASSWORD, options), RUN);
    }

    private static void assertSameOutput(ProgramRun sluice, ProgramRun direct) {
        assertThat(direct.exitCode()).as(direct.describe()).isZero();
        assertThat(sluice.exitCode()).as(sluice.describe()).isZero();
        assertThat(sluice.stderr()).as(sluice.describe()).isEmpty();
        assertThat(sluice.out()).as("output through Sluice vs direct").isEqualTo(direct.out());
    }

    @Test
    void batchModeMultiStatementsPrintWhatTheServerPrintsDirectly() {
        String sql = "SELECT * FROM t ORDER BY id; SELECT 1 AS one, NULL AS nothing, 2.5, 'a\\tb';"
                + " SHOW DATABASES; SELECT COUNT(*), SUM(d) FROM big; DO 1; SELECT @@max_allowed_packet";
        for (List<String> mode : List.of(List.of("--batch"), List.of("--batch", "-N"), List.of("--table"))) {
            List<String> options = new ArrayList<>(mode);
            options.addAll(List.of("-e", sql, "test"));
            ProgramRun sluice = viaSluice(options.toArray(String[]::new));
            ProgramRun direct = direct(options.toArray(String[]::new));
            assertSameOutput(sluice, direct);
            assertThat(sluice.out()).as("mode %s", mode).contains("ünïcødé ✓").contains("200000");
        }
    }

    @Test
    void tlsIsUsedWithSslAndNotWithSkipSsl() {
        ProgramRun tls = viaSluice("--ssl", "-e", "status; SELECT 'over tls'");
        assertThat(tls.exitCode()).as(tls.describe()).isZero();
        assertThat(tls.out())
                .as(tls.describe())
                .containsPattern("SSL:\\s+Cipher in use is \\S+")
                .contains("over tls");

        ProgramRun plain = viaSluice("--skip-ssl", "-e", "status; SELECT 'in the clear'");
        assertThat(plain.exitCode()).as(plain.describe()).isZero();
        assertThat(plain.out())
                .as(plain.describe())
                .containsPattern("SSL:\\s+Not in use")
                .contains("in the clear");
    }

    @Test
    void sourcingAFileAndReadingStdinPrintWhatTheyPrintDirectly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("script.sql");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "-- a comment line",
                        "CREATE TABLE IF NOT EXISTS sourced (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10));",
                        "INSERT INTO sourced (v) VALUES ('a'), ('b'), (NULL);",
                        "SELECT * FROM sourced ORDER BY id;",
                        "DELIMITER //",
                        "CREATE PROCEDURE twice(IN n INT) BEGIN SELECT n * 2 AS doubled; SELECT n AS again; END //",
                        "DELIMITER ;",
                        "CALL twice(21);",
                        "SELECT ROW_COUNT(), LAST_INSERT_ID();",
                        "DROP PROCEDURE twice;",
                        "DROP TABLE sourced;",
                        ""),
                StandardCharsets.UTF_8);

        assertSameOutput(viaSluice("-e", "source " + file, "test"), direct("-e", "source " + file, "test"));

        ProgramRun sluice = ProgramRun.run(cli(fixture.port(), ProxyFixture.PASSWORD, "test"), file, RUN);
        ProgramRun direct = ProgramRun.run(cli(db.sandbox().port(), ProxyFixture.PASSWORD, "test"), file, RUN);
        assertSameOutput(sluice, direct);
        assertThat(sluice.out()).contains("doubled\n42\nagain\n21\n");
    }

    @Test
    void aWrongPasswordPrintsError1045LikeTheServer() {
        ProgramRun sluice = ProgramRun.run(cli(fixture.port(), "wrong", "-e", "SELECT 1"), RUN);
        ProgramRun direct = ProgramRun.run(cli(db.sandbox().port(), "wrong", "-e", "SELECT 1"), RUN);

        assertThat(sluice.exitCode()).as(sluice.describe()).isEqualTo(1);
        assertThat(sluice.out()).isEmpty();
        assertThat(sluice.stderr())
                .as(sluice.describe())
                .startsWith("ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)")
                .isEqualTo(direct.stderr());
    }

    @Test
    void twoHundredThousandRowsWithQuickAreByteIdenticalToDirect() {
        String[] options = {"--quick", "--batch", "-e", "SELECT * FROM big ORDER BY id", "test"};
        ProgramRun sluice = viaSluice(options);
        ProgramRun direct = direct(options);

        assertThat(sluice.exitCode()).as(sluice.describe()).isZero();
        assertThat(direct.exitCode()).as(direct.describe()).isZero();
        assertThat(lines(sluice.stdout())).isEqualTo(BIG_ROWS + 1); // a header line, then the rows
        assertThat(md5(sluice.stdout())).as("md5 of the output").isEqualTo(md5(direct.stdout()));
    }

    @Test
    void interactiveSessionOnATerminal() throws Exception {
        String version;
        try (Connection c = fixture.direct("mariadb", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            version = rs.getString(1);
        }
        try (Terminal terminal = Terminal.start(cli(fixture.port(), ProxyFixture.PASSWORD, "--skip-ssl", "test"))) {
            String banner = terminal.expect("MariaDB [test]> ", PROMPT);
            assertThat(banner).contains("Welcome to the MariaDB monitor").contains("Server version: " + version);

            terminal.send("SELECT id, name FROM t WHERE id < 3 ORDER BY id;");
            String rows = terminal.expect("MariaDB [test]> ", PROMPT);
            assertThat(rows).contains("|  1 | plain    |").contains("2 rows in set");

            terminal.send("\\s");
            String status = terminal.expect("MariaDB [test]> ", PROMPT);
            assertThat(status)
                    .containsPattern("Server version:\\s+" + java.util.regex.Pattern.quote(version))
                    .containsPattern("Current database:\\s+test")
                    .containsPattern("Current user:\\s+app@")
                    .containsPattern("SSL:\\s+Not in use")
                    .containsPattern("TCP port:\\s+" + fixture.port());

            terminal.send("use other");
            assertThat(terminal.expect("MariaDB [other]> ", PROMPT)).contains("Database changed");

            terminal.send("SELECT x FROM o;");
            assertThat(terminal.expect("MariaDB [other]> ", PROMPT))
                    .contains("|   42 |")
                    .contains("1 row in set");

            terminal.send("SELECT no_such_column FROM o;");
            assertThat(terminal.expect("MariaDB [other]> ", PROMPT))
                    .contains("ERROR 1054 (42S22): Unknown column 'no_such_column' in 'SELECT'");

            terminal.send("SELECT 'still here' AS after_error;");
            assertThat(terminal.expect("MariaDB [other]> ", PROMPT)).contains("| still here  |");

            terminal.send("exit");
            terminal.expect("Bye", PROMPT);
            assertThat(terminal.awaitExit(PROMPT)).as(terminal.all()).isZero();
        }
    }

    private static long lines(byte[] out) {
        long n = 0;
        for (byte b : out) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
