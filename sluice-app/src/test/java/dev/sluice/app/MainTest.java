package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void helpListsTheCommands() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("--help")).isZero();
        assertThat(t.out.toString()).contains("Usage: sluice", "run", "demo", "--version");
        assertThat(t.err.toString()).isEmpty();
    }

    @Test
    void versionNamesSluiceAndJava() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("--version")).isZero();
        assertThat(t.out.toString()).startsWith("sluice ").contains("Java " + System.getProperty("java.version"));
    }

    @Test
    void noCommandIsAUsageError() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run()).isEqualTo(2);
        assertThat(t.err.toString()).contains("missing command: choose one of [run, demo]");
    }

    @Test
    void unknownCommandIsAUsageError() {
        CommandTesting t = new CommandTesting();
        assertThat(t.run("start")).isEqualTo(2);
        assertThat(t.err.toString()).contains("Unmatched argument at index 0: 'start'");
    }

    @Test
    void executeReturnsTheExitCode() {
        assertThat(Main.execute("--version")).isZero();
        assertThat(Main.execute("run", "--no-such-flag")).isEqualTo(2);
    }
}
