package dev.sluice.it.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An interactive program on a pseudo-terminal: {@code script -qefc CMD /dev/null} gives it a tty (so the mariadb
 * CLI runs its line editor and prompts) while its input comes from a pipe we write lines to. Output is
 * collected by a reader thread; {@link #expect} waits, with a deadline, until a text appears after the
 * previous match (no sleeps: a condition wait woken by each read).
 */
final class Terminal implements AutoCloseable {
    private final Process process;
    private final OutputStream input;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;
    /** Where the next {@link #expect} starts looking. */
    private int cursor;

    private boolean ended;

    private Terminal(Process process) {
        this.process = process;
        this.input = process.getOutputStream();
        this.reader = new Thread(this::pump, "terminal-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static Terminal start(List<String> command) {
        List<String> quoted = new ArrayList<>();
        for (String arg : command) {
            quoted.add("'" + arg.replace("'", "'\\''") + "'");
        }
        ProcessBuilder builder =
                new ProcessBuilder("script", "-qefc", String.join(" ", quoted), "/dev/null").redirectErrorStream(true);
        builder.environment().put("TERM", "dumb");
        try {
            return new Terminal(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start script(1) for " + command, e);
        }
    }

    private void pump() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (this) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended; whatever was read stays in output
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /** Types one line (a newline is added). */
    void send(String line) {
        try {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the terminal; output so far:\n" + all(), e);
        }
    }

    /**
     * Waits until {@code marker} appears after the previous match, and returns the output from the previous
     * match up to and including it.
     */
    synchronized String expect(String marker, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (; ; ) {
            int at = output.indexOf(marker, cursor);
            if (at >= 0) {
                String seen = output.substring(cursor, at + marker.length());
                cursor = at + marker.length();
                return seen;
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new AssertionError("terminal: '" + marker + "' did not appear within " + timeout
                        + (ended ? " (the program ended)" : "") + "; output after the last match:\n"
                        + output.substring(cursor));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    synchronized String all() {
        return output.toString();
    }

    /** Waits for the program to end and returns its exit code (script -e passes the child's on). */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("terminal: the program did not end within " + timeout + "; output:\n" + all());
            }
            reader.join(timeout.toMillis());
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            input.close();
        } catch (IOException ignored) {
            // the program may already be gone
        }
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
