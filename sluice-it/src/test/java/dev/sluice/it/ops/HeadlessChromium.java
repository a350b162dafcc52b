package dev.sluice.it.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, as a test's browser: loads a page, lets its scripts run for a budget of virtual time
 * (timers run fast; fetches complete for real), then prints the DOM or takes a screenshot. Started with the flags that
 * keep it off the network it cannot reach (no background networking, updates, sync, QUIC) and a fresh profile.
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final long DEADLINE_SECONDS = 90;

    private HeadlessChromium() {}

    /** The DOM of {@code url} after {@code budgetMillis} of virtual time. */
    static String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=" + budgetMillis, "--dump-dom", url));
    }

    /** A PNG of {@code url} at {@code width}x{@code height} after {@code budgetMillis} of virtual time. */
    static void screenshot(String url, Path png, int width, int height, int budgetMillis)
            throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        run(List.of(
                "--virtual-time-budget=" + budgetMillis,
                "--hide-scrollbars",
                "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(),
                url));
    }

    private static String run(List<String> arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("sluice-chromium");
        List<String> command = new ArrayList<>(List.of(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
        command.addAll(arguments);
        Path out = Files.createTempFile("sluice-chromium", ".out");
        Path err = Files.createTempFile("sluice-chromium", ".err");
        Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chromium did not finish within " + DEADLINE_SECONDS + " s: "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "chromium exited " + p.exitValue() + ": " + Files.readString(err, StandardCharsets.UTF_8));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
