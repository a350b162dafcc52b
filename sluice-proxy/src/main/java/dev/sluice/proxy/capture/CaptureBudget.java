package dev.sluice.proxy.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk budget of the capture directory: the {@code .pcapng} files in it take at most {@code max} bytes. Room for
 * a capture is reserved before it is written; when there is not enough, the oldest finished captures are deleted,
 * and when deleting all of them still leaves too little, the capture is refused. Files being written (continuous
 * captures) are never deleted. Thread-safe.
 */
final class CaptureBudget {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.capture");

    private final Path dir;
    private final long max;
    private long used;

    CaptureBudget(Path dir, long max) {
        this.dir = dir;
        this.max = max;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("capture.dir " + dir + " cannot be created: " + e.getMessage(), e);
        }
        this.used = onDisk();
    }

    /** Whether {@code bytes} more fit, after deleting the oldest files not in {@code open} if needed. */
    synchronized boolean reserve(long bytes, Set<Path> open) {
        if (used + bytes <= max) {
            used += bytes;
            return true;
        }
        used = onDisk(); // files may have gone (an operator's clean-up)
        List<Path> oldestFirst = captures().stream()
                .filter(p -> !open.contains(p))
                .sorted(Comparator.comparingLong(CaptureBudget::modified))
                .toList();
        for (Path p : oldestFirst) {
            if (used + bytes <= max) {
                break;
            }
            long size = size(p);
            try {
                Files.deleteIfExists(p);
                used -= size;
                LOG.info("capture budget: deleted {} ({} bytes) to make room", p, size);
            } catch (IOException e) {
                LOG.warn("capture budget: cannot delete {}: {}", p, e.toString());
            }
        }
        if (used + bytes <= max) {
            used += bytes;
            return true;
        }
        return false;
    }

    /** Bytes reserved but not written after all. */
    synchronized void release(long bytes) {
        used = Math.max(0, used - bytes);
    }

    synchronized long used() {
        return used;
    }

    private long onDisk() {
        return captures().stream().mapToLong(CaptureBudget::size).sum();
    }

    private List<Path> captures() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcapng"))
                    .filter(Files::isRegularFile)
                    .toList();
        } catch (IOException e) {
            LOG.warn("capture budget: cannot list {}: {}", dir, e.toString());
            return new ArrayList<>();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
