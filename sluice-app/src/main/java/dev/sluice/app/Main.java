package dev.sluice.app;

import picocli.CommandLine;

/** Entry point of the runnable jar: parses the command line and runs a subcommand. */
public final class Main {
    private Main() {}

    /** Netty's switch for its JFR events (buffer allocator chunks); see {@link #main}. */
    static final String NETTY_JFR = "io.netty.jfr.enabled";

    public static void main(String[] args) {
        // Netty 4.2 asks JFR whether its allocator events are enabled on the first buffer allocation, which makes
        // the JDK register JFR's event machinery (~100 classes, generated handlers): 0.1-0.2 s on the way to the
        // first greeting, for events nobody records. Off unless asked for (-Dio.netty.jfr.enabled=true).
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit code (separated from {@link #main} for tests): 0 success, 1 a
     * failure at run time (cannot start), 2 a bad command line or configuration.
     */
    public static int execute(String... args) {
        return commandLine(CommandLine.defaultFactory()).execute(args);
    }

    /** The command tree; tests pass a factory that builds the subcommands with a fake proxy and signal. */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        return new CommandLine(new SluiceCommand(), factory).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
