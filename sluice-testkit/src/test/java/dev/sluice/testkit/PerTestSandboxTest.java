package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A non-static registration gives each test its own server, gone before the next test starts. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerTestSandboxTest {
    private static long firstPid;
    private static Path firstDir;

    @RegisterExtension
    final MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .name("per-test")
            .option("wait_timeout", "1")
            .build();

    @Test
    @Order(1)
    void firstTestGetsAServer(MariaDbSandbox sandbox) {
        assertThat(sandbox).isSameAs(db.sandbox());
        assertThat(sandbox.execute("SELECT @@GLOBAL.wait_timeout")).isEqualTo("1\n");
        sandbox.execute("CREATE DATABASE only_in_first");
        firstPid = sandbox.pid();
        firstDir = sandbox.directory();
    }

    @Test
    @Order(2)
    void secondTestGetsAFreshOneAfterTheFirstWasClosed(MariaDbSandbox sandbox) {
        assertThat(firstPid).as("first test ran").isPositive();
        assertThat(ProcessHandle.of(firstPid)).isEmpty();
        assertThat(firstDir).doesNotExist();
        assertThat(sandbox.directory()).isNotEqualTo(firstDir);
        assertThat(sandbox.execute("SHOW DATABASES LIKE 'only_in_first'")).isEmpty();
    }
}
