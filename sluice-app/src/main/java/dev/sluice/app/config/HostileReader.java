package dev.sluice.app.config;

import dev.sluice.proxy.config.HostileConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.hostile.Fault;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code hostile} mapping: the hostile listener for driver authors (docs/HOSTILE.md); off unless
 * {@code hostile.listen} is set, and never on an address of the main listeners.
 */
final class HostileReader {
    static final List<String> KEYS = List.of("listen", "seed", "faults");
    private static final String PATH = "hostile";

    private final ValueReader values;

    HostileReader(ValueReader values) {
        this.values = values;
    }

    /** The hostile listener; null when absent, without {@code listen}, or with a problem (reported). */
    HostileConfig read(ConfigNode node, List<ListenerConfig> mainListeners) {
        if (node == null || node instanceof ConfigNode.Scalar s && s.text() == null) {
            return null;
        }
        ConfigNode.Mapping m = values.mapping(node, PATH);
        if (m == null) {
            return null;
        }
        int before = values.problems().size();
        values.checkKeys(m, PATH, KEYS);
        if (m.get("listen") == null) {
            return null;
        }
        HostPort address = values.hostPort(m.get("listen"), PATH + ".listen", 1);
        long seed = values.integer(m, "seed", PATH + ".seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        List<Fault> faults = faults(m);
        if (address != null) {
            for (ListenerConfig main : mainListeners) {
                if (main.port() == address.port()
                        && (main.host().equals(address.host()) || isAny(main.host()) || isAny(address.host()))) {
                    values.problem(
                            m.get("listen").origin(),
                            PATH + ".listen",
                            "must not be a main listener's address (" + main.host() + ":" + main.port() + ")");
                }
            }
        }
        if (values.problems().size() > before || address == null || faults == null) {
            return null;
        }
        try {
            return new HostileConfig(new ListenerConfig(address.host(), address.port()), seed, faults);
        } catch (IllegalArgumentException e) {
            values.problem(ValueReader.originOf(m, "faults"), PATH + ".faults", e.getMessage());
            return null;
        }
    }

    private List<Fault> faults(ConfigNode.Mapping m) {
        ConfigNode node = m.get("faults");
        if (node == null) {
            values.problem(m.origin(), PATH + ".faults", "required with hostile.listen (e.g. [split-bytes])");
            return null;
        }
        if (node instanceof ConfigNode.Scalar scalar && scalar.text() != null) {
            // one value (--set hostile.faults=a,b): the faults separated by commas, brackets optional
            String text = scalar.text().strip().replaceAll("^\\[|]$", "");
            List<Fault> result = new ArrayList<>();
            for (String item : text.split(",")) {
                if (!add(result, item, node, PATH + ".faults")) {
                    return null;
                }
            }
            return result;
        }
        List<ConfigNode> items = values.sequence(node, PATH + ".faults");
        if (items == null) {
            return null;
        }
        List<Fault> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String path = PATH + ".faults[" + i + "]";
            if (!add(result, values.string(items.get(i), path), items.get(i), path)) {
                return null;
            }
        }
        return result;
    }

    private boolean add(List<Fault> result, String text, ConfigNode node, String path) {
        try {
            result.add(Fault.parse(text));
            return true;
        } catch (IllegalArgumentException e) {
            values.problem(node.origin(), path, e.getMessage());
            return false;
        }
    }

    private static boolean isAny(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }
}
