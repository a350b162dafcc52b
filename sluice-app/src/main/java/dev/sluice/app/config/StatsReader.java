package dev.sluice.app.config;

import dev.sluice.proxy.config.StatsConfig;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The {@code digests} and {@code slow-query-log} mappings: statement statistics (see docs/OPERATIONS.md). */
final class StatsReader {
    static final List<String> DIGEST_KEYS = List.of("enabled", "max");
    static final List<String> SLOW_KEYS = List.of("threshold", "max-per-second", "file");

    private final ValueReader values;

    StatsReader(ValueReader values) {
        this.values = values;
    }

    StatsConfig read(ConfigNode digestsNode, ConfigNode slowNode) {
        boolean digests = true;
        long max = StatsConfig.DEFAULT_DIGESTS_MAX;
        if (!unset(digestsNode)) {
            ConfigNode.Mapping m = values.mapping(digestsNode, "digests");
            if (m != null) {
                values.checkKeys(m, "digests", DIGEST_KEYS);
                digests = values.bool(m, "enabled", "digests.enabled", true);
                max = values.integer(m, "max", "digests.max", StatsConfig.DEFAULT_DIGESTS_MAX, 1, 1_000_000);
            }
        }
        Duration threshold = null;
        long perSecond = StatsConfig.DEFAULT_SLOW_PER_SECOND;
        Path file = null;
        if (!unset(slowNode)) {
            ConfigNode.Mapping m = values.mapping(slowNode, "slow-query-log");
            if (m != null) {
                values.checkKeys(m, "slow-query-log", SLOW_KEYS);
                threshold = values.duration(m, "threshold", "slow-query-log.threshold", null, true);
                perSecond = values.integer(
                        m,
                        "max-per-second",
                        "slow-query-log.max-per-second",
                        StatsConfig.DEFAULT_SLOW_PER_SECOND,
                        1,
                        1_000_000);
                file = outputFile(m.get("file"), "slow-query-log.file");
            }
        }
        return new StatsConfig(digests, (int) max, threshold, (int) perSecond, file);
    }

    /** A file to append to: its directory must exist; relative names are relative to the configuration file. */
    private Path outputFile(ConfigNode node, String path) {
        String text = values.string(node, path);
        if (text == null) {
            return null;
        }
        try {
            Path p = Path.of(text);
            Path resolved = node.origin().baseDir() == null || p.isAbsolute()
                    ? p
                    : node.origin().baseDir().resolve(p);
            Path dir = resolved.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                values.problem(node.origin(), path, "the directory of " + resolved + " does not exist");
                return null;
            }
            return resolved;
        } catch (InvalidPathException e) {
            values.problem(node.origin(), path, "\"" + text + "\" is not a file name: " + e.getReason());
            return null;
        }
    }

    private static boolean unset(ConfigNode node) {
        return node == null || node instanceof ConfigNode.Scalar s && s.text() == null;
    }
}
