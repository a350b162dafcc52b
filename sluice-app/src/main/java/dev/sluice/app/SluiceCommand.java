package dev.sluice.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code sluice} command; does nothing itself but list its subcommands. */
@Command(
        name = "sluice",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Sluice: a MySQL wire-protocol proxy for MySQL and MariaDB.",
        subcommands = {RunCommand.class, DemoCommand.class},
        footer = {"", "Run 'sluice <command> --help' for a command's options."})
final class SluiceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing command: choose one of " + spec.subcommands().keySet());
    }
}
