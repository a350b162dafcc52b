package dev.sluice.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs the real command tree with a fake proxy launcher and a shutdown signal the test controls, capturing stdout
 * and stderr. The fake proxy fires the signal as soon as it has started (the "user" presses Ctrl-C at once) unless
 * {@link #signalOnStart} is false.
 */
final class CommandTesting {
    final List<dev.sluice.proxy.config.ProxyConfig> started = new ArrayList<>();
    final ShutdownSignal signal = new ShutdownSignal();
    ProxyLauncher launcher = this::fakeStart;
    boolean signalOnStart = true;
    int closed;
    int fakePort = 45678;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    /** What a test does with the real proxy while it runs. */
    interface WhileRunning {
        void accept(InetSocketAddress proxy) throws Exception;
    }

    /**
     * Makes the command start the real proxy; {@code whileRunning} gets its first listener's address, then the signal
     * stops it (a failure in {@code whileRunning} closes the proxy and fails the start, so the command exits 1).
     */
    void realProxy(WhileRunning whileRunning) {
        launcher = config -> {
            ProxyLauncher.Running running = ProxyLauncher.proxyServer().start(config);
            try {
                whileRunning.accept(running.addresses().get(0));
            } catch (Exception | AssertionError e) {
                running.close();
                throw new IllegalStateException(e);
            }
            signal.trigger("test");
            return running;
        };
    }

    int run(String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == RunCommand.class) {
                    return cls.cast(new RunCommand(config -> launcher.start(config), () -> signal));
                }
                if (cls == DemoCommand.class) {
                    return cls.cast(new DemoCommand(config -> launcher.start(config), () -> signal));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cli = Main.commandLine(factory);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private ProxyLauncher.Running fakeStart(dev.sluice.proxy.config.ProxyConfig config) {
        started.add(config);
        if (signalOnStart) {
            signal.trigger("test");
        }
        return new ProxyLauncher.Running() {
            @Override
            public List<InetSocketAddress> addresses() {
                return List.of(new InetSocketAddress("127.0.0.1", fakePort));
            }

            @Override
            public void close() {
                closed++;
            }
        };
    }
}
