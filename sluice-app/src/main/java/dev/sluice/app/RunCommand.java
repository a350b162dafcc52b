package dev.sluice.app;

import dev.sluice.app.config.ConfigException;
import dev.sluice.app.config.ConfigLoader;
import dev.sluice.app.config.HostPort;
import dev.sluice.app.config.SluiceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice run}: build the configuration, start the proxy, run until SIGINT/SIGTERM. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Run the proxy until Ctrl-C (SIGINT) or SIGTERM.",
            "",
            "The configuration is built from --config FILE, then --listen/--backend/--user (each replaces its whole"
                    + " section of the file), then every --set in order. Keys, defaults and examples:"
                    + " docs/CONFIGURATION.md.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  sluice run --listen 127.0.0.1:3307 --backend 127.0.0.1:3306 --user bench:bench",
            "  sluice run -c sluice.yaml --set connect-timeout=2s",
            "  sluice run -c sluice.yaml --set servers[0].tls=required --set log-level=debug",
            "",
            "Exit codes: 0 stopped by a signal, 1 could not start, 2 bad command line or configuration.",
            "Log level: SLUICE_LOG_LEVEL=debug (or --set log-level=debug)."
        })
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    /**
     * Set by bin/sluice (-Dsluice.cds.training=true) for the run that records its class-data archive: start, read one
     * greeting from the first listener, stop. Not an option users need.
     */
    static final String TRAINING_PROPERTY = "sluice.cds.training";

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML configuration file (optional: the flags below are enough for a quick start)")
    Path config;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "Address clients connect to; repeatable; replaces 'listen'. Default: "
                    + SluiceConfig.DEFAULT_LISTEN + " (port 0 picks a free one).")
    List<String> listen = new ArrayList<>();

    @Option(
            names = "--backend",
            paramLabel = "HOST:PORT",
            description = "A MySQL/MariaDB server behind Sluice; repeatable; replaces 'servers'.")
    List<String> backends = new ArrayList<>();

    @Option(
            names = "--user",
            paramLabel = "NAME:PASSWORD",
            description = "A user clients log in as, logging in to the servers with the same name and password;"
                    + " repeatable; replaces 'users'.")
    List<String> users = new ArrayList<>();

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override one configuration key, after everything else; dotted paths for nesting,"
                    + " [N] for list entries (see the examples); repeatable.")
    List<String> sets = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final ProxyLauncher launcher;
    private final Supplier<ShutdownSignal> signals;

    RunCommand() {
        this(ProxyLauncher.proxyServer(), ShutdownSignal::install);
    }

    RunCommand(ProxyLauncher launcher, Supplier<ShutdownSignal> signals) {
        this.launcher = launcher;
        this.signals = signals;
    }

    @Override
    public Integer call() {
        if (!Boolean.getBoolean(TRAINING_PROPERTY)) {
            return run();
        }
        // bin/sluice's class-data training run: the server is a stand-in that greets, whatever --backend says
        try (ClassDataTraining.Greeter greeter = ClassDataTraining.Greeter.start()) {
            backends = List.of(greeter.address());
            return run();
        } catch (IOException e) {
            spec.commandLine().getErr().println("sluice: class-data training: " + e.getMessage());
            return 1;
        }
    }

    private Integer run() {
        PrintWriter err = spec.commandLine().getErr();
        SluiceConfig loaded;
        try {
            loaded = load();
            Logging.apply(loaded.logLevel());
            Logging.slowQueryLog(loaded.proxy().stats().slowQueryLogFile());
        } catch (ConfigException e) {
            printConfigError(err, e);
            return 2;
        }
        ShutdownSignal signal = signals.get();
        java.util.concurrent.atomic.AtomicReference<ConfigReloads> running =
                new java.util.concurrent.atomic.AtomicReference<>();
        ReloadSignal.install(running::get); // now: a SIGHUP the JVM handled itself would start its shutdown
        log.info("sluice {}: {}", Version.get(), loaded.summary());
        ProxyLauncher.Running proxy;
        try {
            proxy = launcher.start(loaded.proxy());
        } catch (RuntimeException e) {
            log.debug("start failed", e);
            err.println("sluice: cannot start: " + StartFailure.describe(e, listenAddresses(loaded)));
            err.flush();
            return 1;
        }
        log.info("sluice listening on {}", describe(proxy.addresses()));
        if (Boolean.getBoolean(TRAINING_PROPERTY)) {
            // bin/sluice's class-data training run: take the path of a client's first greeting once, then stop
            String outcome = ClassDataTraining.greetOnce(proxy.addresses().get(0));
            log.info("stopping (class-data training run: {})", outcome);
            proxy.close();
            return 0;
        }
        ConfigReloads reloads = new ConfigReloads(this::load, proxy, loaded);
        running.set(reloads);
        proxy.reloadSource(reloads::reload); // an admin's RELOAD CONFIG
        try {
            signal.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SluiceConfig last = reloads.current();
        log.info(
                "stopping ({}): draining for up to shutdown-timeout {}",
                signal.reason(),
                dev.sluice.app.config.Durations.format(last.shutdownTimeout()));
        try {
            proxy.drain(last.shutdownTimeout());
        } finally {
            proxy.close();
        }
        log.info("stopped");
        return 0;
    }

    /** The configuration from the file, flags and overrides, in that order: at start, and again at each reload. */
    private SluiceConfig load() {
        ConfigLoader loader = new ConfigLoader();
        if (config != null) {
            loader.file(config);
        }
        return loader.listen(listen).backends(backends).users(users).set(sets).load();
    }

    static void printConfigError(PrintWriter err, ConfigException e) {
        err.println(
                e.problems().size() == 1
                        ? "sluice: configuration error:"
                        : "sluice: " + e.problems().size() + " configuration errors:");
        e.problems().forEach(p -> err.println("  " + p));
        err.flush();
    }

    static String listenAddresses(SluiceConfig config) {
        return config.proxy().listeners().stream()
                .map(l -> new HostPort(l.host(), l.port()).toString())
                .collect(Collectors.joining(", "));
    }

    static String describe(List<InetSocketAddress> addresses) {
        return addresses.stream()
                .map(a -> new HostPort(
                                a.getAddress() == null
                                        ? a.getHostString()
                                        : a.getAddress().getHostAddress(),
                                a.getPort())
                        .toString())
                .collect(Collectors.joining(", "));
    }
}
