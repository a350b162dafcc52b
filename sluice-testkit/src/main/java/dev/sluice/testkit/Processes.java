package dev.sluice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Short-lived helper processes (install-db, openssl, the mariadb client, kill) with a deadline. */
final class Processes {
    private Processes() {}

    record Result(int exitCode, String stdout, String stderr) {}

    static Result run(List<String> command, Duration timeout, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(devNull()));
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new SandboxException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new SandboxException(
                        String.join(" ", command) + ": no exit within " + timeout + "; stderr: " + err.get());
            }
            return new Result(process.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running " + command.get(0), e);
        } catch (ExecutionException e) {
            throw new SandboxException("reading output of " + command.get(0) + " failed", e.getCause());
        }
    }

    /** Like {@link #run} but a non-zero exit is an exception naming the command and its stderr. */
    static String check(List<String> command, Duration timeout) {
        Result result = run(command, timeout, Map.of());
        if (result.exitCode() != 0) {
            throw new SandboxException(String.join(" ", command) + " exited with " + result.exitCode() + ": "
                    + result.stderr().strip()
                    + (result.stdout().isBlank() ? "" : " / " + result.stdout().strip()));
        }
        return result.stdout();
    }

    /** Sends SIGSTOP/SIGCONT (which Java cannot send) through the shell's kill builtin. */
    static void signal(long pid, String signal) {
        run(
                List.of("/bin/sh", "-c", "kill -s " + signal + " \"$1\" 2>/dev/null", "sh", Long.toString(pid)),
                Duration.ofSeconds(10),
                Map.of());
    }

    static java.io.File devNull() {
        return new java.io.File("/dev/null");
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (stream) {
                        result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        result.completeExceptionally(new UncheckedIOException(e));
                    }
                },
                "sandbox-output");
        reader.setDaemon(true);
        reader.start();
        return result;
    }
}
