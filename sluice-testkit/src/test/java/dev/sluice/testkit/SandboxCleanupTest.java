package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Nothing survives a sandbox: not after close, a failed start, or a JVM killed with SIGKILL. */
class SandboxCleanupTest {

    @Test
    void closeKillsTheServerAndDeletesTheDirectory() {
        MariaDbSandbox db = MariaDbSandbox.builder().name("close").start();
        System.out.println("sandbox start (includes install-db if first in this JVM): " + db.lastStartDuration());
        Path dir = db.directory();
        long pid = db.pid();
        assertThat(dir.resolve("data/mysql")).isDirectory();
        db.close();
        assertThat(dir).doesNotExist();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(db.isRunning()).isFalse();
        db.close();
        assertThatThrownBy(db::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aSecondSandboxStartsFromTheTemplateQuickly() {
        try (MariaDbSandbox db = MariaDbSandbox.builder().name("quick").start()) {
            System.out.println("sandbox start from template: " + db.lastStartDuration());
            assertThat(db.lastStartDuration()).isLessThan(Duration.ofSeconds(10));
            assertThat(db.execute("SELECT 1")).isEqualTo("1\n");
        }
    }

    @Test
    void failedStartReportsTheErrorLogAndCleansUp() throws IOException {
        List<Path> before = sandboxDirs();
        assertThatThrownBy(() -> MariaDbSandbox.builder()
                        .name("broken" + RUN)
                        .option("no-such-variable", "1")
                        .start())
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("did not start")
                .hasMessageContaining("unknown variable 'no-such-variable=1'");
        assertThat(sandboxDirs()).isSubsetOf(before);
    }

    @Test
    void failingInitSqlFailsTheStart() throws IOException {
        List<Path> before = sandboxDirs();
        assertThatThrownBy(() -> MariaDbSandbox.builder()
                        .name("badsql" + RUN)
                        .initSql("CREATE TABLE mysql.broken (")
                        .start())
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("setup SQL failed: 1064");
        assertThat(sandboxDirs()).isSubsetOf(before);
    }

    @Test
    void reservedOptionsAreRejected() {
        assertThatThrownBy(() -> MariaDbSandbox.builder().option("port", "3306"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set by the sandbox");
        assertThatThrownBy(() -> MariaDbSandbox.builder().option("bind_address", "0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MariaDbSandbox.builder().option("x; rm -rf /", "1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sweepRemovesDirectoriesOfDeadOwners() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.createTempDirectory(SandboxDirs.tmpRoot(), SandboxDirs.PREFIX + "stale-");
        Files.writeString(stale.resolve(SandboxDirs.OWNER_FILE), gone.pid() + " 1\n");
        Path live = SandboxDirs.create("live");
        try {
            SandboxDirs.sweepNow();
            assertThat(stale).doesNotExist();
            assertThat(live).isDirectory();
        } finally {
            SandboxDirs.deleteRecursively(stale);
            SandboxDirs.deleteRecursively(live);
        }
    }

    @Test
    void missingMariadbMessageSaysWhatToInstall() {
        assertThat(MariaDbInstall.MISSING_MESSAGE)
                .isEqualTo("mariadbd not found: install Debian's mariadb-server (sudo apt-get install -y"
                        + " mariadb-server) or run scripts/ensure-mariadb.sh as root");
        assertThat(MariaDbInstall.ensure()).isExecutable();
        assertThat(MariaDbInstall.find("no-such-program-sluice")).isEmpty();
    }

    /** The child JVM gets SIGKILL, so no shutdown hook runs: only the launcher script can clean up. */
    @Test
    void serverDiesWithAKilledJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), OrphanChild.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
            assertThat(line).as("child output").startsWith("sandbox ");
            String[] parts = line.split(" ");
            long pid = Long.parseLong(parts[1]);
            Path dir = Path.of(parts[2]);
            assertThat(ProcessHandle.of(pid)).isPresent();

            child.destroyForcibly().waitFor();

            await("mariadbd " + pid + " gone after its JVM was killed")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessHandle.of(pid).isEmpty());
            await("sandbox directory " + dir + " removed")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> !Files.exists(dir));
        } finally {
            child.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names unique to this JVM: another build on the machine may create and remove sandboxes meanwhile. */
    private static final String RUN = Long.toString(ProcessHandle.current().pid());

    private static List<Path> sandboxDirs() throws IOException {
        try (var dirs = Files.list(SandboxDirs.tmpRoot())) {
            return dirs.filter(p -> p.getFileName().toString().startsWith(SandboxDirs.PREFIX))
                    .filter(p -> p.getFileName().toString().contains(RUN + "-"))
                    .toList();
        }
    }
}
