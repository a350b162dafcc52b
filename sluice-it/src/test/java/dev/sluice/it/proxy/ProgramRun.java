package dev.sluice.it.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of an external program (the mariadb CLI, sysbench) to its end, with a deadline. Output goes to
 * files, not pipes, so a program writing megabytes never blocks on a reader.
 */
public record ProgramRun(List<String> command, int exitCode, byte[] stdout, String stderr) {

    public static ProgramRun run(List<String> command, Duration timeout) {
        return run(command, null, timeout);
    }

    /** @param stdin a file to read standard input from, or null for none (an empty input) */
    public static ProgramRun run(List<String> command, Path stdin, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("sluice-run-", ".out");
            err = Files.createTempFile("sluice-run-", ".err");
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                builder.redirectInput(stdin.toFile());
            } else {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not end within " + timeout + "; output so far: "
                        + tail(Files.readString(out, StandardCharsets.UTF_8)) + " / "
                        + tail(Files.readString(err, StandardCharsets.UTF_8)));
            }
            return new ProgramRun(
                    List.copyOf(command),
                    process.exitValue(),
                    Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /**
     * The mariadb CLI in batch mode (tab-separated, a header line) against 127.0.0.1:{@code port}, no option files,
     * with {@code options} before {@code -e sql}; within 30 seconds.
     */
    public static ProgramRun mariadb(int port, String user, String password, List<String> options, String sql) {
        List<String> command = new java.util.ArrayList<>(
                List.of("mariadb", "--no-defaults", "-h127.0.0.1", "-P" + port, "-u" + user, "-p" + password));
        command.addAll(options);
        command.add("-e");
        command.add(sql);
        return run(command, Duration.ofSeconds(30));
    }

    /** Standard output and standard error, one after the other (the CLI reports errors on the latter). */
    public String outAndErr() {
        return out() + stderr;
    }

    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** For assertion messages: the command, its exit code, and the end of both outputs. */
    public String describe() {
        return String.join(" ", command) + " exited " + exitCode + "\nstdout: " + tail(out()) + "\nstderr: "
                + tail(stderr);
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
