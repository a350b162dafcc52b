package dev.sluice.app.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration as a tree before it is typed: what the YAML file said, with command-line flags and
 * {@code --set} overrides applied on top. Every node keeps its {@link Origin}, so the binder can name the line or
 * the argument a bad value came from. Mappings and sequences are mutable only while overrides are applied.
 */
public sealed interface ConfigNode permits ConfigNode.Scalar, ConfigNode.Mapping, ConfigNode.Sequence {
    Origin origin();

    /** How the node is described in "expected a list, got …" messages. */
    String describe();

    /** A single value; {@code text} is null for YAML's null (an empty value, {@code ~} or {@code null}). */
    record Scalar(String text, Origin origin) implements ConfigNode {
        @Override
        public String describe() {
            return text == null ? "nothing" : "\"" + text + "\"";
        }
    }

    /** Keys in file order; a key's own origin is kept for "unknown key" messages. */
    record Mapping(Map<String, Entry> entries, Origin origin) implements ConfigNode {
        public Mapping(Origin origin) {
            this(new LinkedHashMap<>(), origin);
        }

        public ConfigNode get(String key) {
            Entry entry = entries.get(key);
            return entry == null ? null : entry.value();
        }

        public void put(String key, Origin keyOrigin, ConfigNode value) {
            entries.put(key, new Entry(key, keyOrigin, value));
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Entry(String key, Origin keyOrigin, ConfigNode value) {}

    record Sequence(List<ConfigNode> items, Origin origin) implements ConfigNode {
        public Sequence(Origin origin) {
            this(new ArrayList<>(), origin);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }
}
