package dev.sluice.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder replaced once the sandbox kit lands. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Start a private MariaDB with a sample schema.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
