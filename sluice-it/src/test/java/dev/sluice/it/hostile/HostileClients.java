package dev.sluice.it.hostile;

import dev.sluice.it.proxy.ProxyFixture;
import java.io.File;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real clients of the hostile-mode table, each running one scenario against a port and saying what happened:
 * {@code ok} (the result was complete and correct), {@code error <code>} (a clean error carrying a MySQL error
 * number: an ERR packet's), {@code connection lost} (a clean error of the client's own for the broken connection; its
 * exact code, which can depend on whether the client read the last bytes before the reset, is in the detail),
 * {@code hang} (nothing within the deadline) or {@code WRONG ...} (a result that differs from what the server sent:
 * never acceptable).
 */
enum HostileClients {
    MYSQL_TEXT("MySQL Connector/J text", "mysql", false),
    MYSQL_BINARY("MySQL Connector/J binary", "mysql", true),
    MARIADB_TEXT("MariaDB Connector/J text", "mariadb", false),
    MARIADB_BINARY("MariaDB Connector/J binary", "mariadb", true),
    CLI("mariadb CLI", "cli", false);

    /** Each client gives up after this long without a byte (JDBC socketTimeout, the CLI's process deadline). */
    static final int DEADLINE_MS = 8_000;

    static final int ROWS = 1000;
    /** The scenario's statement: ROWS rows of two columns, whose values the check knows. */
    static final String ROWS_QUERY = "SELECT seq, CONCAT('row-', seq) FROM test.seq_1_to_" + ROWS + " WHERE seq > ?";
    /**
     * The lengths of the logical packets the large scenario makes the server send: 16 MiB - 1 (exactly 0xFFFFFF: a
     * full packet and an empty one after it), 16 MiB and 16 MiB + 1. A text row of one string of n bytes (n < 2^24)
     * is 4 + n bytes (0xFD and a 3-byte length); a binary row is 6 + n (0x00, one byte of NULL bitmap, 0xFD, length).
     */
    static final int[] LARGE_PAYLOADS = {0xFFFFFF, 0x1000000, 0x1000001};

    final String title;
    private final String kind;
    private final boolean binary;

    HostileClients(String title, String kind, boolean binary) {
        this.title = title;
        this.kind = kind;
        this.binary = binary;
    }

    /** The length of the value whose row is {@code payload} bytes long in this client's protocol. */
    int valueLength(int payload) {
        return payload - (binary ? 6 : 4);
    }

    /** {@code SELECT} of one string of {@code length} bytes: 'a's ending in 'z', so a cut or shift shows. */
    static String largeQuery(int length) {
        return "SELECT CONCAT(REPEAT('a', " + (length - 1) + "), 'z')";
    }

    /** What happened: the table's cell, and the exact error (code, SQLSTATE, message) when there was one. */
    record Outcome(String cell, String detail) {
        static Outcome of(String cell) {
            return new Outcome(cell, "");
        }
    }

    Outcome run(int port, boolean large) {
        return run(port, large, "");
    }

    /** @param extraUrl more JDBC URL parameters ({@code a=b&c=d}); not for the CLI */
    Outcome run(int port, boolean large, String extraUrl) {
        return run(port, large, extraUrl, ProxyFixture.USER);
    }

    /** @param user the user name to log in with (the password is the fixture's) */
    Outcome run(int port, boolean large, String extraUrl, String user) {
        try {
            if (kind.equals("cli")) {
                return cli(port, large, user);
            }
            String url = url(port) + (extraUrl.isEmpty() ? "" : "&" + extraUrl);
            try (Connection c = DriverManager.getConnection(url, user, ProxyFixture.PASSWORD)) {
                return Outcome.of(large ? large(c) : rows(c));
            }
        } catch (SQLException e) {
            return describe(e);
        }
    }

    private String url(int port) {
        String common = "connectTimeout=" + DEADLINE_MS + "&socketTimeout=" + DEADLINE_MS
                + (binary ? "&useServerPrepStmts=true" : "");
        return kind.equals("mysql")
                ? "jdbc:mysql://127.0.0.1:" + port + "/test?sslMode=DISABLED&allowPublicKeyRetrieval=true&" + common
                : "jdbc:mariadb://127.0.0.1:" + port + "/test?" + common;
    }

    private String rows(Connection c) throws SQLException {
        List<String> got = new ArrayList<>();
        if (binary) {
            try (PreparedStatement p = c.prepareStatement(ROWS_QUERY)) {
                p.setInt(1, 0);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        got.add(rs.getLong(1) + "\t" + rs.getString(2));
                    }
                }
            }
        } else {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(ROWS_QUERY.replace("?", "0"))) {
                while (rs.next()) {
                    got.add(rs.getLong(1) + "\t" + rs.getString(2));
                }
            }
        }
        return checkRows(got);
    }

    private String large(Connection c) throws SQLException {
        for (int payload : LARGE_PAYLOADS) {
            int length = valueLength(payload);
            String value;
            if (binary) {
                try (PreparedStatement p = c.prepareStatement(largeQuery(length))) {
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        value = rs.getString(1);
                    }
                }
            } else {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery(largeQuery(length))) {
                    rs.next();
                    value = rs.getString(1);
                }
            }
            String wrong = checkLarge(value, length);
            if (wrong != null) {
                return wrong;
            }
        }
        return "ok";
    }

    static String checkRows(List<String> got) {
        if (got.size() != ROWS) {
            return "WRONG: " + got.size() + " rows of " + ROWS;
        }
        for (int i = 0; i < ROWS; i++) {
            String expected = (i + 1) + "\trow-" + (i + 1);
            if (!got.get(i).equals(expected)) {
                return "WRONG: row " + (i + 1) + " is '" + got.get(i) + "'";
            }
        }
        return "ok";
    }

    static String checkLarge(String value, int length) {
        if (value == null || value.length() != length) {
            return "WRONG: value of " + (value == null ? "null" : value.length()) + " bytes, expected " + length;
        }
        if (value.charAt(length - 1) != 'z'
                || value.indexOf('z') != length - 1
                || value.chars().anyMatch(ch -> ch != 'a' && ch != 'z')) {
            return "WRONG: the value of " + length + " bytes is not " + (length - 1) + " 'a's and a 'z'";
        }
        return null;
    }

    /** The SQLException as an outcome: a timeout is a hang; a MySQL error number an error; else a lost connection. */
    static Outcome describe(SQLException e) {
        String detail = e.getErrorCode() + " (" + e.getSQLState() + ") " + e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException
                    || String.valueOf(t.getMessage()).contains("timed out")) {
                return new Outcome("hang", detail);
            }
        }
        // drivers number their own errors 0 or -1
        return new Outcome(e.getErrorCode() > 0 ? "error " + e.getErrorCode() : "connection lost", detail);
    }

    private Outcome cli(int port, boolean large, String user) {
        StringBuilder sql = new StringBuilder();
        if (large) {
            for (int payload : LARGE_PAYLOADS) {
                sql.append(largeQuery(valueLength(payload))).append(';');
            }
        } else {
            sql.append(ROWS_QUERY.replace("?", "0"));
        }
        List<String> command = List.of(
                "mariadb",
                "--no-defaults",
                "-h127.0.0.1",
                "-P" + port,
                "-u" + user,
                "-p" + ProxyFixture.PASSWORD,
                "--skip-ssl",
                "--max-allowed-packet=1G",
                "--connect-timeout=" + DEADLINE_MS / 1000,
                "-N",
                "-B",
                "test",
                "-e",
                sql.toString());
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("sluice-hostile-", ".out");
            err = Files.createTempFile("sluice-hostile-", ".err");
            Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return Outcome.of("hang");
            }
            if (p.exitValue() != 0) {
                String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
                Matcher m = Pattern.compile("ERROR (\\d+)").matcher(stderr);
                if (!m.find()) {
                    return new Outcome("error (exit " + p.exitValue() + ")", stderr);
                }
                // 2000..2999 are the client library's own errors (CR_*): the connection, not an ERR packet
                int code = Integer.parseInt(m.group(1));
                return new Outcome(code >= 2000 && code < 3000 ? "connection lost" : "error " + code, stderr);
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (!large) {
                return Outcome.of(checkRows(lines));
            }
            if (lines.size() != LARGE_PAYLOADS.length) {
                return Outcome.of("WRONG: " + lines.size() + " lines of " + LARGE_PAYLOADS.length);
            }
            for (int i = 0; i < LARGE_PAYLOADS.length; i++) {
                String wrong = checkLarge(lines.get(i), valueLength(LARGE_PAYLOADS[i]));
                if (wrong != null) {
                    return Outcome.of(wrong);
                }
            }
            return Outcome.of("ok");
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            p.toFile().delete();
        }
    }
}
