package dev.sluice.app.config;

import dev.sluice.proxy.config.Balance;
import dev.sluice.proxy.config.GroupRole;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.config.ServerGroups;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code groups} list: named server groups, exactly one of them the writer group. Checks that every server a
 * group names is in {@code servers}, once per group; that reader options are on reader groups only; then that the
 * groups users name exist and that weights are set only where a weighted reader group reads them.
 */
final class GroupsReader {
    static final List<String> KEYS = List.of("name", "role", "servers", "max-replication-lag", "balance");
    static final List<String> ROLES = List.of("writer", "reader");
    static final List<String> BALANCES = List.of("least-connections", "weighted");

    /** A place in the configuration that names a group (a user's default-group or schema-groups entry). */
    record GroupReference(Origin origin, String path, String group) {}

    /** A server's {@code weight} key, kept to check that a weighted reader group reads it. */
    record WeightKey(Origin origin, String path, String server) {}

    private final ValueReader values;

    GroupsReader(ValueReader values) {
        this.values = values;
    }

    /**
     * The configured groups; null when {@code groups} is not set (the proxy then uses the implicit ones) or when a
     * problem was found.
     *
     * @param serverNames the names of every entry of {@code servers}, in order (also those with a problem, so that
     *     a bad address does not make the groups naming that server look wrong too)
     */
    ServerGroups read(ConfigNode.Mapping root, List<String> serverNames) {
        ConfigNode node = root.get("groups");
        if (node == null || node instanceof ConfigNode.Scalar s && s.text() == null) {
            return null;
        }
        List<ConfigNode> items = values.sequence(node, "groups");
        if (items == null) {
            return null;
        }
        int before = values.problems().size();
        List<ServerGroup> groups = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        String writerPath = null;
        for (int i = 0; i < items.size(); i++) {
            String path = "groups[" + i + "]";
            ConfigNode.Mapping m = values.mapping(items.get(i), path);
            if (m == null) {
                continue;
            }
            values.checkKeys(m, path, KEYS);
            String name = values.nonEmptyString(m, "name", path, null);
            if (name == null && m.get("name") == null) {
                values.problem(m.origin(), path, "'name:' is required");
            } else if (name != null && names.putIfAbsent(name, path) != null) {
                values.problem(
                        ValueReader.originOf(m, "name"),
                        path + ".name",
                        "duplicate group name '" + name + "' (also " + names.get(name) + ")");
            }
            GroupRole role = role(m, path);
            if (role == GroupRole.WRITER) {
                if (writerPath != null) {
                    values.problem(
                            ValueReader.originOf(m, "role"),
                            path + ".role",
                            "only one writer group is allowed (" + writerPath + " is the writer group)");
                } else {
                    writerPath = path;
                }
            }
            List<String> servers = servers(m, path, serverNames);
            Duration lag = maxReplicationLag(m, path, role);
            Balance balance = balance(m, path, role);
            if (name != null && role != null && !servers.isEmpty()) {
                groups.add(new ServerGroup(name, role, servers, lag, balance));
            }
        }
        if (writerPath == null) {
            values.problem(
                    root.entries().get("groups").keyOrigin(),
                    "groups",
                    "a writer group is required (one group with 'role: writer'; without 'groups', the first server"
                            + " is the writer)");
        }
        return values.problems().size() > before ? null : new ServerGroups(groups, true);
    }

    /** Each reference names an existing group: configured ones, or the implicit writer group without groups. */
    void checkReferences(ServerGroups groups, List<GroupReference> references) {
        List<String> known = groups == null
                ? List.of(ServerGroups.IMPLICIT_WRITER)
                : groups.groups().stream().map(ServerGroup::name).toList();
        for (GroupReference r : references) {
            if (!known.contains(r.group())) {
                values.problem(
                        r.origin(),
                        r.path(),
                        "unknown group '" + r.group() + "' " + Suggestions.hint(r.group(), known)
                                + (groups == null ? ", and no groups are configured" : ""));
            }
        }
    }

    /** A weight only means something to a reader group with {@code balance: weighted} holding that server. */
    void checkWeights(ServerGroups groups, List<WeightKey> weights) {
        Set<String> weighted = new HashSet<>();
        if (groups != null) {
            groups.readers().stream()
                    .filter(g -> g.balance() == Balance.WEIGHTED)
                    .forEach(g -> weighted.addAll(g.servers()));
        }
        for (WeightKey w : weights) {
            if (!weighted.contains(w.server())) {
                values.problem(
                        w.origin(),
                        w.path(),
                        "is used only by reader groups with 'balance: weighted', and server '" + w.server()
                                + "' is in none");
            }
        }
    }

    private GroupRole role(ConfigNode.Mapping m, String path) {
        if (m.get("role") == null) {
            values.problem(m.origin(), path, "'role: writer' or 'role: reader' is required");
            return null;
        }
        String role = values.choice(m.get("role"), path + ".role", ROLES, null);
        return role == null ? null : GroupRole.valueOf(role.toUpperCase(Locale.ROOT));
    }

    /** The server names; one name alone is a one-entry list (as for --set groups[0].servers=db1). */
    private List<String> servers(ConfigNode.Mapping m, String path, List<String> serverNames) {
        ConfigNode node = m.get("servers");
        List<String> result = new ArrayList<>();
        if (node == null) {
            values.problem(m.origin(), path, "'servers:' is required (names of entries of servers)");
            return result;
        }
        boolean list = node instanceof ConfigNode.Sequence;
        List<ConfigNode> items = list ? ((ConfigNode.Sequence) node).items() : List.of(node);
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + ".servers" + (list ? "[" + i + "]" : "");
            String name = values.string(items.get(i), itemPath);
            if (name == null) {
                continue;
            }
            if (!serverNames.contains(name)) {
                values.problem(
                        items.get(i).origin(),
                        itemPath,
                        "unknown server '" + name + "' " + Suggestions.hint(name, serverNames));
            } else if (result.contains(name)) {
                values.problem(items.get(i).origin(), itemPath, "server '" + name + "' is listed twice");
            } else {
                result.add(name);
            }
        }
        if (result.isEmpty() && items.stream().allMatch(n -> n instanceof ConfigNode.Scalar s && s.text() == null)) {
            values.problem(node.origin(), path + ".servers", "at least one server is required");
        }
        return result;
    }

    private Duration maxReplicationLag(ConfigNode.Mapping m, String path, GroupRole role) {
        String key = path + ".max-replication-lag";
        if (!readerOption(m, "max-replication-lag", key, role)) {
            return null;
        }
        String text = values.string(m.get("max-replication-lag"), key);
        if (text == null) {
            return ServerGroup.DEFAULT_MAX_REPLICATION_LAG;
        }
        if (text.strip().equalsIgnoreCase("off")) {
            return null;
        }
        try {
            Duration lag = Durations.parse(text);
            if (!lag.isZero()) {
                return lag;
            }
            values.problem(m.get("max-replication-lag").origin(), key, "must be more than 0 (or off for no limit)");
        } catch (IllegalArgumentException e) {
            values.problem(m.get("max-replication-lag").origin(), key, e.getMessage());
        }
        return ServerGroup.DEFAULT_MAX_REPLICATION_LAG;
    }

    private Balance balance(ConfigNode.Mapping m, String path, GroupRole role) {
        if (!readerOption(m, "balance", path + ".balance", role)) {
            return null;
        }
        String balance =
                values.choice(m.get("balance"), path + ".balance", BALANCES, ServerGroup.DEFAULT_BALANCE.configName());
        return Balance.valueOf(balance.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Whether the reader option applies; a problem when it is set on the writer group. */
    private boolean readerOption(ConfigNode.Mapping m, String key, String path, GroupRole role) {
        if (role == GroupRole.READER) {
            return true;
        }
        if (role == GroupRole.WRITER && m.get(key) != null) {
            values.problem(m.get(key).origin(), path, "only reader groups have it (this group has 'role: writer')");
        }
        return false;
    }
}
