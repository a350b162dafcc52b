package dev.sluice.app;

import picocli.CommandLine;

/** Entry point of the runnable jar: parses the command line and runs a subcommand. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
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
