package dev.sluice.app;

import dev.sluice.app.config.ConfigException;
import dev.sluice.app.config.ConfigLoader;
import dev.sluice.app.config.SluiceConfig;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.SandboxException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: a private MariaDB with a sample schema, Sluice in front of it, and the command to connect.
 * Ctrl-C closes both; the sandbox's own watchdog removes the server even if this JVM is killed.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Start a private MariaDB with a sample database (demo: customers, orders, a view, a stored procedure),"
                    + " put Sluice in front of it on 127.0.0.1, and print how to connect. Ctrl-C stops both.",
            "",
            "Needs Debian's mariadb-server (bin/sluice installs it when run as root).",
            ""
        })
final class DemoCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);
    static final String ADMIN_USER = "admin";
    static final String ADMIN_PASSWORD = "admin";

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "3307",
            description = "Port Sluice listens on, on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--no-proxy",
            description = "Start only the MariaDB sandbox and print how to connect to it directly.")
    boolean noProxy;

    @Spec
    CommandSpec spec;

    private final ProxyLauncher launcher;
    private final Supplier<ShutdownSignal> signals;

    DemoCommand() {
        this(ProxyLauncher.proxyServer(), ShutdownSignal::install);
    }

    DemoCommand(ProxyLauncher launcher, Supplier<ShutdownSignal> signals) {
        this.launcher = launcher;
        this.signals = signals;
    }

    /** The mariadb client command line the demo prints, for a server or proxy on 127.0.0.1. */
    static List<String> clientCommand(int port) {
        return List.of(
                "mariadb",
                "-h127.0.0.1",
                "-P" + port,
                "-u" + DemoDatabase.USER,
                "-p" + DemoDatabase.PASSWORD,
                DemoDatabase.DATABASE);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port: " + port + " (expected: 0..65535)");
        }
        try {
            Logging.apply(null);
        } catch (ConfigException e) {
            RunCommand.printConfigError(err, e);
            return 2;
        }
        if (!noProxy && !portFree(port)) {
            err.println("sluice demo: 127.0.0.1:" + port + " is already in use (another sluice demo?); choose another"
                    + " port with --port, e.g. sluice demo --port 3308");
            err.flush();
            return 1;
        }
        ShutdownSignal signal = signals.get();
        out.println("sluice demo: starting a private MariaDB with the demo database ...");
        out.flush();
        MariaDbSandbox sandbox;
        try {
            sandbox = DemoDatabase.sandbox().start();
        } catch (SandboxException e) {
            err.println("sluice demo: cannot start MariaDB: " + e.getMessage());
            err.flush();
            return 1;
        }
        try {
            return runWith(sandbox, signal, out, err);
        } finally {
            sandbox.close();
            out.println("sluice demo: stopped; the MariaDB sandbox and its files are gone.");
            out.flush();
        }
    }

    private int runWith(MariaDbSandbox sandbox, ShutdownSignal signal, PrintWriter out, PrintWriter err) {
        String version = sandbox.execute("SELECT VERSION()").strip().split("-", 2)[0];
        out.println("sluice demo: MariaDB " + version + " is running on 127.0.0.1:" + sandbox.port()
                + " (database demo, user demo/demo; data in " + sandbox.directory() + ")");
        if (noProxy) {
            printConnect(out, sandbox.port(), "Connect to MariaDB directly");
            printStop(out);
            awaitSignal(signal);
            return 0;
        }
        SluiceConfig config;
        try {
            config = new ConfigLoader()
                    .listen(List.of("127.0.0.1:" + port))
                    .backends(List.of(sandbox.host() + ":" + sandbox.port()))
                    .users(List.of(DemoDatabase.USER + ":" + DemoDatabase.PASSWORD))
                    .set(List.of(
                            "servers[0].name=demo",
                            "servers[0].tls=disabled",
                            // the status page, metrics and the admin interface, on free loopback ports
                            "http.listen=127.0.0.1:0",
                            "admin.listen=127.0.0.1:0",
                            "admin.users[0].name=" + ADMIN_USER,
                            "admin.users[0].password=" + ADMIN_PASSWORD,
                            "slow-query-log.threshold=1s"))
                    .load();
        } catch (ConfigException e) {
            RunCommand.printConfigError(err, e);
            return 2;
        }
        log.info("sluice {}: {}", Version.get(), config.summary());
        ProxyLauncher.Running proxy;
        try {
            proxy = launcher.start(config.proxy());
        } catch (RuntimeException e) {
            log.debug("start failed", e);
            err.println("sluice demo: cannot start Sluice: " + StartFailure.describe(e, "127.0.0.1:" + port));
            err.println("sluice demo: stopping the MariaDB sandbox");
            err.flush();
            return 1;
        }
        try {
            List<InetSocketAddress> addresses = proxy.addresses();
            int actual = addresses.isEmpty() ? port : addresses.get(0).getPort();
            log.info("sluice listening on {}", RunCommand.describe(addresses));
            printConnect(out, actual, "Connect through Sluice (127.0.0.1:" + actual + ")");
            printOperations(out, proxy.httpAddress(), proxy.adminAddress());
            printStop(out);
            awaitSignal(signal);
            proxy.drain(config.shutdownTimeout());
            return 0;
        } finally {
            proxy.close();
        }
    }

    private static void printConnect(PrintWriter out, int port, String title) {
        String jdbc = "//127.0.0.1:" + port + "/demo?user=demo&password=demo";
        out.println();
        out.println(title + ":");
        out.println("  " + String.join(" ", clientCommand(port)));
        out.println("  jdbc:mariadb:" + jdbc);
        out.println("  jdbc:mysql:" + jdbc);
        out.println();
        out.println("Try:");
        out.println("  SELECT * FROM customer_totals ORDER BY total DESC LIMIT 5;");
        out.println("  CALL customer_orders(1, @n, @total); SELECT @n, @total;");
        out.println();
        out.flush();
    }

    private static void printStop(PrintWriter out) {
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    /** Where an operator looks: the status page and metrics, and the admin interface. */
    static void printOperations(PrintWriter out, InetSocketAddress http, InetSocketAddress admin) {
        if (http == null && admin == null) {
            return;
        }
        out.println("Watch it:");
        if (http != null) {
            out.println("  status page  http://127.0.0.1:" + http.getPort() + "/   (metrics: http://127.0.0.1:"
                    + http.getPort() + "/metrics)");
        }
        if (admin != null) {
            out.println("  admin        mariadb -h127.0.0.1 -P" + admin.getPort() + " -u" + ADMIN_USER + " -p"
                    + ADMIN_PASSWORD + "   (SHOW SESSIONS; SHOW DIGESTS ORDER BY count LIMIT 10;)");
        }
        out.println();
        out.flush();
    }

    private static void awaitSignal(ShutdownSignal signal) {
        try {
            signal.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping ({})", signal.reason());
    }

    /** Port 0 is always free (the proxy picks one). */
    static boolean portFree(int port) {
        if (port == 0) {
            return true;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
