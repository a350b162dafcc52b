package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Signals to a real {@code sluice run} process: SIGTERM drains (issue 13 item 6), SIGHUP reloads (item 5). */
class SignalsProcessTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user("app", "secret")
            .initSql("CREATE DATABASE test")
            .build();

    @TempDir
    Path dir;

    @BeforeAll
    static void table() {
        db.sandbox().execute("CREATE TABLE test.signals (id INT PRIMARY KEY) ENGINE=InnoDB");
    }

    /** A YAML file for the sandbox: app/secret, a free port, shutdown-timeout 30s; {@code extra}: more users. */
    Path config(String extra) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(
                file,
                "listen: 127.0.0.1:0\n"
                        + "servers:\n"
                        + "  - name: sandbox\n"
                        + "    address: " + db.sandbox().host() + ":"
                        + db.sandbox().port() + "\n"
                        + "    tls: disabled\n"
                        + "shutdown-timeout: 30s\n"
                        + "users:\n"
                        + "  - name: app\n"
                        + "    password: secret\n"
                        + extra);
        return file;
    }

    static Connection connect(int port, String user, String password) throws Exception {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/test", user, password);
    }

    @Test
    void sigtermDuringATransactionLetsItCommitThenExitsZero() throws Exception {
        try (SluiceProcess sluice =
                SluiceProcess.run(dir, List.of("-c", config("").toString()))) {
            int port = sluice.awaitPort(Duration.ofSeconds(60));
            try (Connection c = connect(port, "app", "secret")) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO signals VALUES (1)");
                }
                sluice.signal("TERM");
                sluice.awaitLog(Pattern.compile("draining 1 sessions"), Duration.ofSeconds(30));
                assertThat(sluice.isAlive())
                        .as("the drain waits for the transaction")
                        .isTrue();

                c.commit();

                assertThat(sluice.awaitExit(Duration.ofSeconds(30)))
                        .as(sluice.log())
                        .isZero();
            }
            assertThat(sluice.log())
                    .contains("1 finished their statement or transaction, 0 cut")
                    .contains("stopped");
            assertThat(db.sandbox()
                            .execute("SELECT COUNT(*) FROM test.signals WHERE id = 1")
                            .strip())
                    .isEqualTo("1");
        }
    }

    /**
     * A SIGHUP as early as the first log line (before the proxy listens) neither stops nor wedges the process: the
     * handler is in place from then on (the JVM's own would start a shutdown), and a reload then is ignored or done.
     */
    @Test
    void aSighupDuringStartUpIsHandled() throws Exception {
        try (SluiceProcess sluice =
                SluiceProcess.run(dir, List.of("-c", config("").toString()))) {
            sluice.awaitLog(Pattern.compile("sluice \\S+: listen "), Duration.ofSeconds(60));
            sluice.signal("HUP");
            int port = sluice.awaitPort(Duration.ofSeconds(60));
            sluice.awaitLog(
                    Pattern.compile("SIGHUP before Sluice runs: ignored|SIGHUP: reloading"), Duration.ofSeconds(30));
            try (Connection app = connect(port, "app", "secret")) {
                assertThat(app.isValid(5)).isTrue();
            }
            assertThat(sluice.isAlive()).isTrue();
        }
    }

    @Test
    void sighupReloadsTheFileAndAnInvalidFileChangesNothing() throws Exception {
        Path file = config("");
        try (SluiceProcess sluice = SluiceProcess.run(dir, List.of("-c", file.toString(), "--set", "log-level=info"))) {
            int port = sluice.awaitPort(Duration.ofSeconds(60));
            try (Connection app = connect(port, "app", "secret")) {
                assertThatThrownBy(() -> connect(port, "arriving", "pw").close())
                        .isInstanceOf(SQLException.class);

                config("  - name: arriving\n    password: pw\n    server-user: app\n    server-password: secret\n");
                sluice.signal("HUP");
                sluice.awaitLog(
                        Pattern.compile("configuration reloaded: users: added arriving"), Duration.ofSeconds(30));
                try (Connection arriving = connect(port, "arriving", "pw")) {
                    assertThat(arriving.isValid(5)).isTrue();
                }

                // invalid: a bad duration (and the user removed): nothing changes
                Files.writeString(
                        file, Files.readString(file).replace("shutdown-timeout: 30s", "shutdown-timeout: 2x"));
                sluice.signal("HUP");
                sluice.awaitLog(
                        Pattern.compile("configuration not reloaded: 1 configuration error: [^\\n]*sluice\\.yaml:\\d+:"
                                + " shutdown-timeout: \"2x\" is not a duration"),
                        Duration.ofSeconds(30));
                try (Connection arriving = connect(port, "arriving", "pw")) {
                    assertThat(arriving.isValid(5)).isTrue();
                }

                // a restart-only key: refused whole, naming it
                config(""); // without the user arriving, and a listen address of its own
                Files.writeString(file, Files.readString(file).replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:1"));
                sluice.signal("HUP");
                sluice.awaitLog(Pattern.compile("listen changes only on restart"), Duration.ofSeconds(30));
                try (Connection arriving = connect(port, "arriving", "pw")) {
                    assertThat(arriving.isValid(5))
                            .as("the refused file removed this user")
                            .isTrue();
                }
                assertThat(app.isValid(5)).isTrue();
            }
            sluice.signal("TERM");
            assertThat(sluice.awaitExit(Duration.ofSeconds(30)))
                    .as(sluice.log())
                    .isZero();
        }
    }
}
