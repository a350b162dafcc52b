package dev.sluice.app.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads typed values out of {@link ConfigNode}s for the {@link ConfigBinder}: durations, sizes, host:port, booleans,
 * choices, files. A bad value is recorded as a problem ({@code <where>: <key path>: <what>}) and the default is
 * returned in its place, so that binding goes on and one run reports every problem.
 */
final class ValueReader {
    private final List<String> problems = new ArrayList<>();

    List<String> problems() {
        return problems;
    }

    Path file(ConfigNode node, String path) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        try {
            Path p = Path.of(text);
            Path resolved = node.origin().baseDir() == null || p.isAbsolute()
                    ? p
                    : node.origin().baseDir().resolve(p);
            if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
                problem(node.origin(), path, resolved + ": no such readable file");
                return null;
            }
            return resolved;
        } catch (InvalidPathException e) {
            problem(node.origin(), path, "\"" + text + "\" is not a file name: " + e.getReason());
            return null;
        }
    }

    Duration duration(ConfigNode.Mapping m, String key, Duration defaultValue, boolean canBeOff) {
        return duration(m, key, key, defaultValue, canBeOff);
    }

    /** {@code path} names the key in messages (e.g. pool.idle-timeout for the key idle-timeout under pool). */
    Duration duration(ConfigNode.Mapping m, String key, String path, Duration defaultValue, boolean canBeOff) {
        String text = string(m.get(key), path);
        if (text == null) {
            return defaultValue;
        }
        Origin origin = m.get(key).origin();
        if (text.strip().equalsIgnoreCase("off")) {
            if (!canBeOff) {
                problem(origin, path, "cannot be off (expected a duration such as 10s)");
            }
            return defaultValue;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.isZero()) {
                if (!canBeOff) {
                    problem(origin, path, "must be more than 0 (this deadline cannot be turned off)");
                    return defaultValue;
                }
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problem(origin, path, e.getMessage());
            return defaultValue;
        }
    }

    long size(ConfigNode.Mapping m, String key, long defaultValue, long min, long max) {
        String text = string(m.get(key), key);
        if (text == null) {
            return defaultValue;
        }
        try {
            long n = Sizes.parse(text);
            if (n < min || n > max) {
                problem(
                        m.get(key).origin(),
                        key,
                        "\"" + text + "\" is out of range (expected " + Sizes.format(min) + ".." + Sizes.format(max)
                                + ")");
                return defaultValue;
            }
            return n;
        } catch (IllegalArgumentException e) {
            problem(m.get(key).origin(), key, e.getMessage());
            return defaultValue;
        }
    }

    long integer(ConfigNode.Mapping m, String key, long defaultValue, long min, long max) {
        return integer(m, key, key, defaultValue, min, max);
    }

    long integer(ConfigNode.Mapping m, String key, String path, long defaultValue, long min, long max) {
        String text = string(m.get(key), path);
        if (text == null) {
            return defaultValue;
        }
        String s = text.strip();
        if (!s.matches("-?\\d{1,18}") || Long.parseLong(s) < min || Long.parseLong(s) > max) {
            problem(m.get(key).origin(), path, "\"" + text + "\" is not a whole number in " + min + ".." + max);
            return defaultValue;
        }
        return Long.parseLong(s);
    }

    boolean bool(ConfigNode.Mapping m, String key, String path, boolean defaultValue) {
        ConfigNode node = m.get(key);
        return node == null ? defaultValue : parseBool(node, path, defaultValue);
    }

    boolean parseBool(ConfigNode node, String path, boolean defaultValue) {
        String text = string(node, path);
        if (text == null) {
            return defaultValue;
        }
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on":
                return true;
            case "false", "no", "off":
                return false;
            default:
                problem(node.origin(), path, "\"" + text + "\" is not a boolean (expected true or false)");
                return defaultValue;
        }
    }

    String choice(ConfigNode node, String path, List<String> choices, String defaultValue) {
        String text = string(node, path);
        if (text == null) {
            return defaultValue;
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (!choices.contains(lower)) {
            problem(node.origin(), path, "\"" + text + "\" is not one of " + String.join(", ", choices));
            return defaultValue;
        }
        return lower;
    }

    HostPort hostPort(ConfigNode node, String path, int minPort) {
        String text = string(node, path);
        if (text == null) {
            if (node instanceof ConfigNode.Scalar) {
                problem(node.origin(), path, "expected host:port, got nothing");
            }
            return null;
        }
        try {
            return HostPort.parse(text, minPort);
        } catch (IllegalArgumentException e) {
            problem(node.origin(), path, e.getMessage());
            return null;
        }
    }

    String nonEmptyString(ConfigNode.Mapping m, String key, String path, String defaultValue) {
        ConfigNode node = m.get(key);
        String text = string(node, path + "." + key);
        if (text == null) {
            return node == null || node instanceof ConfigNode.Scalar ? defaultValue : null;
        }
        if (text.isBlank()) {
            problem(node.origin(), path + "." + key, "must not be empty");
            return null;
        }
        return text;
    }

    /** A scalar's text; null when absent or YAML null; a list or mapping is a problem (and null). */
    String string(ConfigNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node instanceof ConfigNode.Scalar scalar) {
            return scalar.text();
        }
        problem(node.origin(), path, "expected a single value, got " + node.describe());
        return null;
    }

    List<ConfigNode> sequence(ConfigNode node, String path) {
        if (node instanceof ConfigNode.Sequence seq) {
            return seq.items();
        }
        if (node instanceof ConfigNode.Scalar s && s.text() == null) {
            return List.of();
        }
        problem(node.origin(), path, "expected a list (entries starting with '- '), got " + node.describe());
        return null;
    }

    ConfigNode.Mapping mapping(ConfigNode node, String path) {
        if (node instanceof ConfigNode.Mapping m) {
            return m;
        }
        problem(node.origin(), path, "expected a mapping of keys, got " + node.describe());
        return null;
    }

    void checkKeys(ConfigNode.Mapping m, String path, List<String> allowed) {
        for (ConfigNode.Entry entry : m.entries().values()) {
            if (!allowed.contains(entry.key())) {
                String prefix = entry.keyOrigin().describe() + ": " + (path.isEmpty() ? "" : path + ": ");
                problems.add(prefix + "unknown key '" + entry.key() + "' " + Suggestions.hint(entry.key(), allowed));
            }
        }
    }

    static Origin originOf(ConfigNode.Mapping m, String key) {
        ConfigNode node = m.get(key);
        return node == null ? m.origin() : node.origin();
    }

    void problem(Origin origin, String path, String message) {
        problems.add(origin.describe() + ": " + path + ": " + message);
    }
}
