package dev.sluice.app;

import picocli.CommandLine;

/** Entry point of the runnable jar: parses the command line and runs a subcommand. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (separated from {@link #main} for tests). */
    public static int execute(String... args) {
        return new CommandLine(new SluiceCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }
}
