package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.TlsMode;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.UserConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo with a real sandbox and a fake proxy (the fake "presses Ctrl-C" as soon as it is started). */
class DemoCommandTest {
    /** What a new user is told to look at: the status page, the metrics and the admin interface, with their ports. */
    @Test
    void theStatusPageAndAdminAddressesArePrinted() {
        java.io.StringWriter text = new java.io.StringWriter();
        DemoCommand.printOperations(
                new java.io.PrintWriter(text),
                new java.net.InetSocketAddress("127.0.0.1", 9104),
                new java.net.InetSocketAddress("127.0.0.1", 6033));
        assertThat(text.toString())
                .contains("status page  http://127.0.0.1:9104/")
                .contains("http://127.0.0.1:9104/metrics")
                .contains("mariadb -h127.0.0.1 -P6033 -uadmin -padmin");
        java.io.StringWriter none = new java.io.StringWriter();
        DemoCommand.printOperations(new java.io.PrintWriter(none), null, null);
        assertThat(none.toString()).isEmpty();
    }

    @Test
    void help() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("demo", "--help")).isZero();
        assertThat(t.out.toString()).contains("Usage: sluice demo", "--port=PORT", "default: 3307", "--no-proxy");
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("demo", "--port", "70000")).isEqualTo(2);
        assertThat(t.err.toString()).contains("--port: 70000 (expected: 0..65535)");
    }

    @Test
    void portInUseIsSaidBeforeAnythingStarts() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandTesting t = new CommandTesting();
            assertThat(t.run("demo", "--port", Integer.toString(taken.getLocalPort())))
                    .isEqualTo(1);
            assertThat(t.err.toString())
                    .isEqualTo("sluice demo: 127.0.0.1:" + taken.getLocalPort() + " is already in use (another sluice"
                            + " demo?); choose another port with --port, e.g. sluice demo --port 3308\n");
            assertThat(t.out.toString()).isEmpty();
            assertThat(t.started).isEmpty();
        }
    }

    @Test
    void startsSluiceInFrontOfTheSandboxPrintsHowToConnectAndCleansUp() {
        CommandTesting t = new CommandTesting();
        int[] greetingProtocol = {-1};
        ProxyLauncher fake = t.launcher;
        t.launcher = config -> {
            // the sandbox must be up while the proxy runs: read the protocol version byte of its greeting
            greetingProtocol[0] =
                    greetingProtocolVersion(config.servers().get(0).port());
            return fake.start(config);
        };

        int exit = t.run("demo", "--port", "0");

        assertThat(exit).as(t.err.toString()).isZero();
        assertThat(t.started).hasSize(1);
        var config = t.started.get(0);
        assertThat(config.listeners()).containsExactly(new ListenerConfig("127.0.0.1", 0));
        assertThat(config.servers()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("demo");
            assertThat(s.host()).isEqualTo("127.0.0.1");
            assertThat(s.tls().mode()).isEqualTo(TlsMode.DISABLED);
        });
        assertThat(config.users()).containsExactly(UserConfig.of("demo", "demo"));
        assertThat(greetingProtocol[0]).isEqualTo(10);
        String out = t.out.toString();
        assertThat(out)
                .contains("Connect through Sluice (127.0.0.1:45678):")
                .contains("  mariadb -h127.0.0.1 -P45678 -udemo -pdemo demo\n")
                .contains("  jdbc:mariadb://127.0.0.1:45678/demo?user=demo&password=demo\n")
                .contains("CALL customer_orders(1, @n, @total)")
                .endsWith("sluice demo: stopped; the MariaDB sandbox and its files are gone.\n");
        assertThat(t.closed).isEqualTo(1);
        assertThat(dataDirectory(out)).doesNotExist();
    }

    @Test
    void proxyFailingToStartStopsTheSandboxAndExits1() {
        CommandTesting t = new CommandTesting();
        t.launcher = config -> {
            throw new IllegalStateException("the proxy is being built (issue 3); not available in this build");
        };

        assertThat(t.run("demo", "--port", "0")).isEqualTo(1);

        assertThat(t.err.toString())
                .isEqualTo("sluice demo: cannot start Sluice: the proxy is being built (issue 3); not available in this"
                        + " build\nsluice demo: stopping the MariaDB sandbox\n");
        assertThat(dataDirectory(t.out.toString())).doesNotExist();
    }

    @Test
    void noProxyPrintsTheDirectConnection() {
        CommandTesting t = new CommandTesting();
        // no proxy start to hook into: the signal is already pending, so the demo stops right after printing
        t.signal.trigger("test");

        assertThat(t.run("demo", "--no-proxy")).isZero();

        String out = t.out.toString();
        Matcher m = Pattern.compile("MariaDB \\S+ is running on 127\\.0\\.0\\.1:(\\d+)")
                .matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(out)
                .contains("Connect to MariaDB directly:")
                .contains("  mariadb -h127.0.0.1 -P" + m.group(1) + " -udemo -pdemo demo");
        assertThat(t.started).isEmpty();
        assertThat(dataDirectory(out)).doesNotExist();
    }

    private static Path dataDirectory(String out) {
        Matcher m = Pattern.compile("data in (\\S+)\\)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        Path dir = Path.of(m.group(1));
        assertThat(dir.getFileName().toString()).startsWith("sluice-sandbox-demo-");
        assertThat(Files.exists(dir.getParent())).isTrue();
        return dir;
    }

    private static int greetingProtocolVersion(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            InputStream in = s.getInputStream();
            byte[] header = in.readNBytes(5); // int<3> length, int<1> sequence id, then protocol version int<1>
            return header.length == 5 ? header[4] : -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
