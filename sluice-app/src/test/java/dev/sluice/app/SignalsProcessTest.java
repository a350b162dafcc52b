package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Signals to a real {@code sluice run} process: SIGTERM drains (issue 13 item 6). */
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

    /** A YAML file for the sandbox: app/secret, a free port, shutdown-timeout 30s. */
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
                        + "users:\n"
                        + "  - name: app\n"
                        + "    password: secret\n"
                        + "shutdown-timeout: 30s\n"
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
}
