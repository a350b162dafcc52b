package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @Test
    void helpListsEveryFlagWithItsDefault() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run", "--help")).isZero();
        assertThat(t.out.toString())
                .contains(
                        "Usage: sluice run",
                        "--config=FILE",
                        "--listen=HOST:PORT",
                        "--backend=HOST:PORT",
                        "--user=NAME:PASSWORD",
                        "--set=KEY=VALUE",
                        "Default: 127.0.0.1:3307",
                        "docs/CONFIGURATION.md",
                        "--backend 127.0.0.1:3306 --user bench:bench");
    }

    @Test
    void quickStartBuildsTheConfigurationAndStopsCleanlyOnTheSignal() {
        CommandTesting t = new CommandTesting();
        int exit = t.run(
                "run",
                "--listen",
                "127.0.0.1:3307",
                "--backend",
                "127.0.0.1:3306",
                "--user",
                "bench:bench",
                "--set",
                "connect-timeout=2s");

        assertThat(exit).as(t.err.toString()).isZero();
        assertThat(t.started).hasSize(1);
        assertThat(t.started.get(0).listeners()).containsExactly(new ListenerConfig("127.0.0.1", 3307));
        assertThat(t.started.get(0).servers())
                .containsExactly(new ServerConfig("server1", "127.0.0.1", 3306, TlsMode.PREFERRED));
        assertThat(t.started.get(0).users()).containsExactly(UserConfig.of("bench", "bench"));
        assertThat(t.started.get(0).timeouts().connect()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.closed).as("the proxy is closed on the signal").isEqualTo(1);
    }

    @Test
    void configFileAndOverrides(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("sluice.yaml"), "servers:\n  - address: db:3306\n");
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run", "-c", file.toString(), "--set", "servers[0].tls=required"))
                .isZero();
        assertThat(t.started.get(0).servers())
                .containsExactly(new ServerConfig("server1", "db", 3306, TlsMode.REQUIRED));
    }

    @Test
    void badFlagIsAUsageError() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run", "--lisen", "127.0.0.1:3307")).isEqualTo(2);
        assertThat(t.err.toString())
                .contains("Unknown options: '--lisen', '127.0.0.1:3307'", "Possible solutions: --listen");
        assertThat(t.started).isEmpty();
    }

    @Test
    void flagWithoutValueIsAUsageError() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run", "--backend")).isEqualTo(2);
        assertThat(t.err.toString()).contains("Missing required parameter for option '--backend'");
    }

    @Test
    void configurationErrorExits2WithEveryProblemAndNoStackTrace(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("sluice.yaml"), "servers:\n  - address: db\nconect-timeout: 1s\n");
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run", "--config", file.toString(), "--set", "max-packet-size=1TB"))
                .isEqualTo(2);
        assertThat(t.err.toString())
                .isEqualTo("sluice: 3 configuration errors:\n"
                        + "  " + file + ":3: unknown key 'conect-timeout' (did you mean 'connect-timeout'?)\n"
                        + "  " + file + ":2: servers[0].address: \"db\" is not host:port (the port is missing)\n"
                        + "  --set max-packet-size=1TB: max-packet-size: \"1TB\" has an unknown unit 'tb' (expected"
                        + " KiB, MiB or GiB)\n");
        assertThat(t.started).isEmpty();
    }

    @Test
    void nothingConfiguredSaysWhatIsMissing() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run")).isEqualTo(2);
        assertThat(t.err.toString())
                .isEqualTo("sluice: configuration error:\n  command line: servers: at least one server is required"
                        + " (add 'servers:' or --backend HOST:PORT)\n");
    }

    @Test
    void missingConfigFile(@TempDir Path dir) {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("run", "--config", dir.resolve("nope.yaml").toString()))
                .isEqualTo(2);
        assertThat(t.err.toString()).contains("nope.yaml: no such file");
    }

    @Test
    void startFailureExits1WithTheReason() {
        CommandTesting t = new CommandTesting();
        t.launcher = config -> {
            throw new IllegalStateException("the proxy is being built (issue 3); not available in this build");
        };
        assertThat(t.run("run", "--backend", "127.0.0.1:3306")).isEqualTo(1);
        assertThat(t.err.toString())
                .isEqualTo("sluice: cannot start: the proxy is being built (issue 3); not available in this build\n");
    }

    @Test
    void portInUseIsSaidPlainly() {
        CommandTesting t = new CommandTesting();
        t.launcher = config -> {
            throw new IllegalStateException("bind failed", new BindException("Address already in use"));
        };
        assertThat(t.run("run", "--listen", "127.0.0.1:3307", "--backend", "127.0.0.1:3306"))
                .isEqualTo(1);
        assertThat(t.err.toString())
                .isEqualTo("sluice: cannot start: cannot listen on 127.0.0.1:3307: address already in use (another"
                        + " process has the port; choose another with --listen HOST:PORT)\n");
    }

    @Test
    void causesAreChainedWithoutRepeats() {
        RuntimeException e = new IllegalStateException(
                "cannot start", new RuntimeException("certificate unreadable", new IOException("permission denied")));
        assertThat(StartFailure.describe(e, "x")).isEqualTo("cannot start: certificate unreadable: permission denied");
    }

    @Test
    void classDataTrainingRunReadsOneGreetingAndStopsWithoutASignal() throws Exception {
        try (java.net.ServerSocket fakeProxy =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread greeter = new Thread(() -> {
                try (java.net.Socket c = fakeProxy.accept()) {
                    // a 5-byte packet, sequence 0: what the training client must read whole
                    c.getOutputStream().write(new byte[] {5, 0, 0, 0, 10, 'a', 'b', 'c', 0});
                    c.getInputStream().read();
                } catch (IOException ignored) {
                    // the test fails on the output below
                }
            });
            greeter.start();
            CommandTesting t = new CommandTesting();
            t.signalOnStart = false;
            t.fakePort = fakeProxy.getLocalPort();
            System.setProperty(RunCommand.TRAINING_PROPERTY, "true");
            int exit;
            try {
                exit = t.run("run", "--backend", "127.0.0.1:3306");
            } finally {
                System.clearProperty(RunCommand.TRAINING_PROPERTY);
            }
            greeter.join(10_000);
            assertThat(exit).as(t.err.toString()).isZero();
            assertThat(t.closed).isEqualTo(1);
        }
    }

    @Test
    void trainingClientReadsAWholePacket() throws Exception {
        try (java.net.ServerSocket server =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread greeter = new Thread(() -> {
                try (java.net.Socket c = server.accept()) {
                    c.getOutputStream().write(new byte[] {3, 0, 0, 0, 1, 2});
                    c.getOutputStream().flush();
                    c.getOutputStream().write(3);
                    c.getInputStream().read();
                } catch (IOException ignored) {
                    // the assertion says
                }
            });
            greeter.start();
            assertThat(ClassDataTraining.greetOnce(
                            new java.net.InetSocketAddress(server.getInetAddress(), server.getLocalPort())))
                    .isEqualTo("read a 3-byte greeting");
            greeter.join(10_000);
        }
        assertThat(ClassDataTraining.greetOnce(new java.net.InetSocketAddress("127.0.0.1", 1)))
                .startsWith("no greeting: ");
    }
}
