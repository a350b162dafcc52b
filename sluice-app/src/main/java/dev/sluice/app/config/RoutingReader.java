package dev.sluice.app.config;

import dev.sluice.proxy.config.CausalReads;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.proxy.config.ServerGroups;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code monitor} and {@code routing} mappings. The groups routing rules name are collected as
 * {@link GroupsReader.GroupReference}s and checked with the users' ones once the groups are known; whether the
 * groups need a monitor is checked here too, so that the problem names the line of {@code groups} instead of
 * surfacing from the proxy's own check without a line.
 */
final class RoutingReader {
    static final List<String> MONITOR_KEYS = List.of("user", "password", "interval", "timeout");
    static final List<String> ROUTING_KEYS = List.of(
            "read-write-split",
            "causal-reads",
            "causal-read-timeout",
            "failover-buffer-timeout",
            "failover-buffer-statements",
            "rules");
    static final List<String> RULE_KEYS = List.of("user", "schema", "pattern", "group");
    static final List<String> CAUSAL_READS = List.of("none", "local", "global");

    private final ValueReader values;

    RoutingReader(ValueReader values) {
        this.values = values;
    }

    /** The monitor's account and pace; null when {@code monitor} is not set or has a problem. */
    MonitorConfig monitor(ConfigNode node) {
        if (unset(node)) {
            return null;
        }
        ConfigNode.Mapping m = values.mapping(node, "monitor");
        if (m == null) {
            return null;
        }
        int before = values.problems().size();
        values.checkKeys(m, "monitor", MONITOR_KEYS);
        String user = values.nonEmptyString(m, "user", "monitor", null);
        if (unset(m.get("user"))) {
            values.problem(
                    ValueReader.originOf(m, "user"), "monitor", "'user:' is required (an account with SLAVE MONITOR)");
        }
        String password = values.string(m.get("password"), "monitor.password");
        if (unset(m.get("password"))) {
            values.problem(
                    ValueReader.originOf(m, "password"),
                    "monitor",
                    "'password:' is required (password: \"\" for an account without one)");
        }
        Duration interval = values.duration(m, "interval", "monitor.interval", MonitorConfig.DEFAULT_INTERVAL, false);
        Duration timeout = values.duration(m, "timeout", "monitor.timeout", MonitorConfig.DEFAULT_TIMEOUT, false);
        if (values.problems().size() > before) {
            return null;
        }
        return new MonitorConfig(user, password, interval, timeout);
    }

    /**
     * The routing settings, defaults for what is not set.
     *
     * @param groupReferences where the groups the rules name are added, to be checked once the groups are known
     */
    RoutingConfig routing(ConfigNode node, List<GroupsReader.GroupReference> groupReferences) {
        RoutingConfig d = RoutingConfig.defaults();
        if (unset(node)) {
            return d;
        }
        ConfigNode.Mapping m = values.mapping(node, "routing");
        if (m == null) {
            return d;
        }
        values.checkKeys(m, "routing", ROUTING_KEYS);
        boolean split = values.bool(m, "read-write-split", "routing.read-write-split", d.readWriteSplit());
        String causal = values.choice(
                m.get("causal-reads"),
                "routing.causal-reads",
                CAUSAL_READS,
                d.causalReads().name().toLowerCase(Locale.ROOT));
        Duration causalTimeout =
                values.duration(m, "causal-read-timeout", "routing.causal-read-timeout", d.causalReadTimeout(), false);
        Duration bufferTimeout = failoverBufferTimeout(m, d.failoverBufferTimeout());
        long bufferStatements = values.integer(
                m,
                "failover-buffer-statements",
                "routing.failover-buffer-statements",
                d.failoverBufferStatements(),
                0,
                1_000_000);
        List<RoutingRule> rules = rules(m.get("rules"), groupReferences);
        return new RoutingConfig(
                split,
                CausalReads.valueOf(causal.toUpperCase(Locale.ROOT)),
                causalTimeout,
                bufferTimeout,
                (int) bufferStatements,
                rules);
    }

    /**
     * A problem at the line of {@code groups} when they need a monitor and none is configured (a {@code monitor}
     * with problems of its own has been reported already).
     */
    void checkMonitor(ConfigNode.Mapping root, ServerGroups groups, MonitorConfig monitor) {
        if (groups != null && monitor == null && unset(root.get("monitor")) && ProxyConfig.needsMonitor(groups)) {
            values.problems()
                    .add(root.entries().get("groups").keyOrigin().describe() + ": " + ProxyConfig.MONITOR_REQUIRED);
        }
    }

    /** {@code off} or {@code 0}: no buffering (statements get the ERR at once), which is Duration.ZERO. */
    private Duration failoverBufferTimeout(ConfigNode.Mapping m, Duration defaultValue) {
        if (unset(m.get("failover-buffer-timeout"))) {
            return defaultValue;
        }
        Duration d = values.duration(m, "failover-buffer-timeout", "routing.failover-buffer-timeout", null, true);
        return d == null ? Duration.ZERO : d;
    }

    private List<RoutingRule> rules(ConfigNode node, List<GroupsReader.GroupReference> groupReferences) {
        List<RoutingRule> result = new ArrayList<>();
        List<ConfigNode> items = unset(node) ? List.of() : values.sequence(node, "routing.rules");
        for (int i = 0; items != null && i < items.size(); i++) {
            String path = "routing.rules[" + i + "]";
            ConfigNode.Mapping m = values.mapping(items.get(i), path);
            if (m == null) {
                continue;
            }
            int before = values.problems().size();
            values.checkKeys(m, path, RULE_KEYS);
            String user = values.nonEmptyString(m, "user", path, null);
            String schema = values.nonEmptyString(m, "schema", path, null);
            Pattern pattern = pattern(m, path);
            String group = values.nonEmptyString(m, "group", path, null);
            if (m.get("group") == null) {
                values.problem(m.origin(), path, "'group:' is required (the group the statements go to)");
            } else if (group != null) {
                groupReferences.add(
                        new GroupsReader.GroupReference(m.get("group").origin(), path + ".group", group));
            }
            if (unset(m.get("user")) && unset(m.get("schema")) && unset(m.get("pattern"))) {
                values.problem(
                        m.origin(),
                        path,
                        "matches every statement (no user, schema nor pattern): use users[N].default-group");
            }
            if (values.problems().size() == before) {
                result.add(new RoutingRule(user, schema, pattern, group));
            }
        }
        return result;
    }

    /** Compiled case-insensitively, as SQL keywords are; null when not set. */
    private Pattern pattern(ConfigNode.Mapping m, String path) {
        String text = values.nonEmptyString(m, "pattern", path, null);
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            values.problem(
                    m.get("pattern").origin(),
                    path + ".pattern",
                    "\"" + text + "\" is not a regular expression: " + e.getDescription()
                            + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
            return null;
        }
    }

    /** Absent, or YAML's null: the default applies. */
    private static boolean unset(ConfigNode node) {
        return node == null || node instanceof ConfigNode.Scalar s && s.text() == null;
    }
}
