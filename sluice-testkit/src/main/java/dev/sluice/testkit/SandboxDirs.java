package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Sandbox directories under java.io.tmpdir, named {@code sluice-sandbox-*}. Each holds an {@code owner} file with the
 * pid and start time of the JVM that made it, so that {@link #sweepOnce()} can remove the leftovers of dead JVMs (the
 * launcher script normally removes them itself; the sweep covers a watchdog that was killed too).
 *
 * <p>The system tables are made once per JVM by mariadb-install-db into a template (0.5-3 s here) and copied into
 * each sandbox (about 0.1 s for 17 MB).
 */
final class SandboxDirs {
    static final String PREFIX = "sluice-sandbox-";
    static final String OWNER_FILE = "owner";
    /** Options shared by install-db and mariadbd so that the redo log is not resized at every start. */
    static final List<String> INNODB_SIZES = List.of("--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M");

    private static boolean swept;
    private static Path template;

    private SandboxDirs() {}

    static Path tmpRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    static Path create(String name) {
        try {
            Path dir = Files.createTempDirectory(tmpRoot(), PREFIX + name + "-");
            Files.writeString(dir.resolve(OWNER_FILE), ownerLine(ProcessHandle.current()));
            return dir;
        } catch (IOException e) {
            throw new SandboxException("cannot create a sandbox directory in " + tmpRoot() + ": " + e.getMessage(), e);
        }
    }

    /** The template data directory of this JVM, made on first use. */
    static synchronized Path template() {
        if (template != null && Files.isDirectory(template.resolve("data/mysql"))) {
            return template.resolve("data");
        }
        Path installDb = MariaDbInstall.installDb();
        // mariadbd has been seen to crash once in a while during bootstrap (signal, core file) on a loaded
        // machine; a second attempt in a fresh directory is cheap and the failure of both is still reported.
        Path dir = null;
        String failure = null;
        for (int attempt = 1; attempt <= 2 && dir == null; attempt++) {
            Path candidate = create("template");
            SandboxCleanup.registerDirectory(candidate);
            List<String> command = new ArrayList<>(List.of(
                    installDb.toString(),
                    "--no-defaults",
                    "--datadir=" + candidate.resolve("data"),
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--skip-name-resolve"));
            if (MariaDbInstall.runningAsRoot()) {
                command.add("--user=root");
            }
            command.addAll(INNODB_SIZES);
            Processes.Result result = Processes.run(command, Duration.ofMinutes(2), Map.of());
            if (result.exitCode() == 0) {
                dir = candidate;
            } else {
                deleteRecursively(candidate);
                String output = result.stdout() + result.stderr();
                failure = "mariadb-install-db exited with " + result.exitCode() + " (attempt " + attempt + "): "
                        + output.lines()
                                .filter(l -> l.contains("ERROR") || l.contains("signal") || l.contains("Assert"))
                                .limit(10)
                                .reduce("", (a, b) -> a + b + "\n")
                        + "...\n" + tail(output, 30);
                System.err.println("sluice-testkit: " + failure);
            }
        }
        if (dir == null) {
            throw new SandboxException(failure);
        }
        template = dir;
        return dir.resolve("data");
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new SandboxException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // raced with the launcher script's own rm -rf
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /**
     * Removes sandbox directories whose owner JVM is gone, killing a mariadbd still running from one. Directories
     * without an owner file are left alone for a minute: another JVM may be creating them right now.
     */
    static synchronized void sweepOnce() {
        if (!swept) {
            swept = true;
            sweepNow();
        }
    }

    static synchronized void sweepNow() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmpRoot(), PREFIX + "*")) {
            for (Path dir : dirs) {
                try {
                    sweep(dir);
                } catch (IOException | RuntimeException e) {
                    // another JVM's directory in flux, or not ours to delete: leave it
                }
            }
        } catch (IOException e) {
            // an unreadable tmp dir only means no sweep
        }
    }

    private static void sweep(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Path owner = dir.resolve(OWNER_FILE);
        if (!Files.exists(owner)) {
            FileTime modified = Files.getLastModifiedTime(dir);
            if (modified.toInstant().isAfter(Instant.now().minus(Duration.ofMinutes(1)))) {
                return;
            }
        } else if (ownerAlive(Files.readString(owner).trim())) {
            return;
        }
        Path pidFile = dir.resolve("mariadbd.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid)
                    .filter(p -> p.info().command().orElse("").endsWith("mariadbd"))
                    .ifPresent(p -> {
                        Processes.signal(pid, "CONT");
                        p.destroyForcibly();
                    });
        }
        deleteRecursively(dir);
    }

    static String ownerLine(ProcessHandle process) {
        long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return process.pid() + " " + start + "\n";
    }

    /** The owner is alive when its pid exists with the recorded start time (guards against pid reuse). */
    static boolean ownerAlive(String line) {
        String[] parts = line.split("\\s+");
        long pid = Long.parseLong(parts[0]);
        long start = parts.length > 1 ? Long.parseLong(parts[1]) : 0L;
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long actual =
                handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return start == 0 || actual == 0 || Math.abs(actual - start) < 2_000;
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
