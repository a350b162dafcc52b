package dev.sluice.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sluice run} as a real process (the JVM bin/sluice starts, on this build's class path, without the jar
 * build): its log (stderr) goes to a file the test reads, signals are sent with {@code kill}. Waits poll with a
 * deadline.
 */
final class SluiceProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("sluice listening on [^:]+:(\\d+)");

    private final Process process;
    private final Path log;

    private SluiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static SluiceProcess run(Path dir, List<String> arguments) throws IOException {
        Path log = Files.createTempFile(dir, "sluice-", ".log");
        List<String> command = new ArrayList<>(List.of(
                // SIGHUP back to its default: a test run under nohup would otherwise hand the JVM an ignored SIGHUP,
                // which it keeps ignored (no reload would ever happen)
                "env",
                "--default-signal=HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run"));
        command.addAll(arguments);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new SluiceProcess(p, log);
    }

    /** The port of its first listener, once it logged that it listens. */
    int awaitPort(Duration timeout) throws Exception {
        Matcher m = awaitLog(LISTENING, timeout);
        return Integer.parseInt(m.group(1));
    }

    /**
     * Waits until the log has a line matching {@code pattern}, or the process exited without one; fails with the log
     * when the deadline passes or the process is gone.
     */
    Matcher awaitLog(Pattern pattern, Duration timeout) throws Exception {
        try {
            org.awaitility.Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> pattern.matcher(log()).find() || !process.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no log line matching " + pattern + " within " + timeout + "; log:\n" + log());
        }
        Matcher m = pattern.matcher(log());
        if (!m.find()) {
            throw new AssertionError(
                    "sluice exited " + process.exitValue() + " before logging " + pattern + "; log:\n" + log());
        }
        return m;
    }

    /** Sends a signal by name (TERM, HUP, ...) with kill(1). */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, waiting up to {@code timeout}. */
    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("sluice did not exit within " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}
