package dev.sluice.app.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line changes to the configuration tree, applied after the file: the quick-start flags ({@code --listen},
 * {@code --backend}, {@code --user}) replace their section, then each {@code --set KEY=VALUE} replaces one value.
 * Values keep the argument as their {@link Origin}, so errors name the argument that caused them. What a key means
 * and whether it exists is the binder's business; here only the path must make sense.
 */
final class Overrides {
    /** One step of a --set path: a key, optionally followed by one list index ({@code servers[0]}). */
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9_-]+)(?:\\[(\\d{1,6})])?");

    private Overrides() {}

    static void listen(ConfigNode.Mapping root, List<String> addresses) {
        if (addresses.isEmpty()) {
            return;
        }
        Origin first = Origin.argument("--listen " + addresses.get(0));
        ConfigNode.Sequence seq = new ConfigNode.Sequence(first);
        for (String address : addresses) {
            seq.items().add(new ConfigNode.Scalar(address, Origin.argument("--listen " + address)));
        }
        root.put("listen", first, seq);
    }

    static void backends(ConfigNode.Mapping root, List<String> addresses) {
        if (addresses.isEmpty()) {
            return;
        }
        Origin first = Origin.argument("--backend " + addresses.get(0));
        ConfigNode.Sequence seq = new ConfigNode.Sequence(first);
        for (String address : addresses) {
            Origin origin = Origin.argument("--backend " + address);
            ConfigNode.Mapping server = new ConfigNode.Mapping(origin);
            server.put("address", origin, new ConfigNode.Scalar(address, origin));
            seq.items().add(server);
        }
        root.put("servers", first, seq);
    }

    /** {@code NAME:PASSWORD}, split at the first colon (a password may contain colons). */
    static void users(ConfigNode.Mapping root, List<String> users, List<String> problems) {
        if (users.isEmpty()) {
            return;
        }
        List<ConfigNode> items = new ArrayList<>();
        for (String user : users) {
            int colon = user.indexOf(':');
            String name = colon < 0 ? user : user.substring(0, colon);
            Origin origin = Origin.argument("--user " + name + (colon < 0 ? "" : ":***"));
            if (colon <= 0) {
                problems.add(origin.describe() + ": expected NAME:PASSWORD");
                continue;
            }
            ConfigNode.Mapping m = new ConfigNode.Mapping(origin);
            m.put("name", origin, new ConfigNode.Scalar(name, origin));
            m.put("password", origin, new ConfigNode.Scalar(user.substring(colon + 1), origin));
            items.add(m);
        }
        if (!items.isEmpty()) {
            root.put(
                    "users",
                    items.get(0).origin(),
                    new ConfigNode.Sequence(items, items.get(0).origin()));
        }
    }

    /**
     * {@code KEY=VALUE} with KEY a dotted path ({@code tls.required}, {@code servers[0].tls}); VALUE is text. A
     * malformed argument is added to {@code problems} and changes nothing.
     */
    static void set(ConfigNode.Mapping root, String argument, List<String> problems) {
        try {
            set(root, argument);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
    }

    private static void set(ConfigNode.Mapping root, String argument) {
        int eq = argument.indexOf('=');
        String key = eq < 0 ? argument : argument.substring(0, eq);
        Origin origin = Origin.argument(
                "--set " + (key.toLowerCase(java.util.Locale.ROOT).contains("password") ? key + "=***" : argument));
        if (eq <= 0) {
            throw new ConfigException(origin.describe() + ": expected KEY=VALUE, e.g. --set connect-timeout=2s");
        }
        ConfigNode.Scalar value = new ConfigNode.Scalar(argument.substring(eq + 1), origin);
        String[] parts = key.split("\\.", -1);
        ConfigNode.Mapping current = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            Matcher m = SEGMENT.matcher(parts[i]);
            if (!m.matches()) {
                throw new ConfigException(origin.describe() + ": '" + key + "' is not a key path (expected e.g."
                        + " connect-timeout, tls.required or servers[0].tls)");
            }
            String name = m.group(1);
            boolean last = i == parts.length - 1;
            path.append(path.length() == 0 ? "" : ".").append(name);
            ConfigNode existing = current.get(name);
            if (m.group(2) == null) {
                if (last) {
                    current.put(name, origin, value);
                    return;
                }
                current = childMapping(current, name, existing, origin, path.toString());
                continue;
            }
            ConfigNode.Sequence seq = childSequence(current, name, existing, origin, path.toString());
            int index = Integer.parseInt(m.group(2));
            path.append('[').append(index).append(']');
            if (index > seq.items().size()) {
                throw new ConfigException(origin.describe() + ": " + path + ": index out of range (" + name + " has "
                        + seq.items().size() + " entries; " + seq.items().size() + " adds one)");
            }
            if (last) {
                if (index == seq.items().size()) {
                    seq.items().add(value);
                } else {
                    seq.items().set(index, value);
                }
                return;
            }
            if (index == seq.items().size()) {
                seq.items().add(new ConfigNode.Mapping(origin));
            }
            if (!(seq.items().get(index) instanceof ConfigNode.Mapping entry)) {
                throw new ConfigException(origin.describe() + ": " + path + " is a single value, not a mapping");
            }
            current = entry;
        }
    }

    private static ConfigNode.Mapping childMapping(
            ConfigNode.Mapping parent, String name, ConfigNode existing, Origin origin, String path) {
        if (existing instanceof ConfigNode.Mapping m) {
            return m;
        }
        if (existing == null || isNull(existing)) {
            ConfigNode.Mapping created = new ConfigNode.Mapping(origin);
            parent.put(name, origin, created);
            return created;
        }
        throw new ConfigException(origin.describe() + ": " + path + " is " + existing.describe() + " in the"
                + " configuration, not a mapping");
    }

    private static ConfigNode.Sequence childSequence(
            ConfigNode.Mapping parent, String name, ConfigNode existing, Origin origin, String path) {
        if (existing instanceof ConfigNode.Sequence s) {
            return s;
        }
        ConfigNode.Sequence created = new ConfigNode.Sequence(origin);
        if (existing instanceof ConfigNode.Scalar scalar && scalar.text() != null) {
            // "listen: a:1" is a one-entry list; --set listen[1]=b:2 adds to it
            created.items().add(scalar);
        } else if (existing != null && !isNull(existing)) {
            throw new ConfigException(origin.describe() + ": " + path + " is " + existing.describe() + " in the"
                    + " configuration, not a list");
        }
        parent.put(name, origin, created);
        return created;
    }

    private static boolean isNull(ConfigNode node) {
        return node instanceof ConfigNode.Scalar s && s.text() == null;
    }
}
