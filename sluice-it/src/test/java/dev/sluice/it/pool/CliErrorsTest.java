package dev.sluice.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.it.proxy.ProgramRun;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sluice's own errors as the {@code mariadb} CLI shows them. MariaDB Connector/C (the CLI, and every client built on
 * it) reads an ERR whose code is in the client range 2000-2999 as "Received malformed packet" (2027) and drops the
 * message (CONC-648: a server never sends client codes). So the errors Sluice sends when it cannot reach the server,
 * or loses it mid-statement, must carry server-range codes for an operator to see what happened.
 */
class CliErrorsTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(PoolProxy.USER, PoolProxy.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    @Test
    void anUnreachableServerIsNamedNotAMalformedPacket() throws Exception {
        Timeouts timeouts = PoolProxy.timeouts(Duration.ofSeconds(2));
        try (PoolProxy sluice = new PoolProxy(
                "127.0.0.1",
                FakeServer.closedPort(),
                "unused",
                timeouts,
                PoolProxy.pool(4, Duration.ofSeconds(2), Duration.ofSeconds(60)))) {
            String out = cli(sluice.port(), "SELECT 1");
            // refused in place of the greeting: the CLI prints it as it prints a server's refusal there (an ERR
            // before TLS, "authenticity cannot be verified"), code and message included
            assertThat(out)
                    .contains("1429")
                    .contains("sluice: cannot open a connection to server db")
                    .doesNotContain("malformed");
        }
    }

    @Test
    void aServerLostMidStatementIsNamedNotAMalformedPacket() throws Exception {
        Timeouts timeouts = new Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1), null);
        try (PoolProxy sluice = new PoolProxy(
                "127.0.0.1",
                db.sandbox().port(),
                "unused",
                timeouts,
                PoolProxy.pool(4, Duration.ofSeconds(2), Duration.ofSeconds(60)))) {
            String out = cli(sluice.port(), "SELECT SLEEP(5)");
            assertThat(out)
                    .contains("ERROR 1158")
                    .contains("sluice: lost the connection to server db during COM_QUERY")
                    .contains("server-read-timeout")
                    .doesNotContain("malformed");
        }
    }

    /** Runs the CLI in batch mode through Sluice; its stdout and stderr together. */
    private static String cli(int port, String sql) {
        return ProgramRun.mariadb(port, PoolProxy.USER, PoolProxy.PASSWORD, List.of(), sql)
                .outAndErr();
    }
}
