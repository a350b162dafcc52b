package dev.sluice.proxy;

import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a configuration reload would change, key by key, and whether it can: a reload that changes a key that takes
 * effect only on restart (listeners, instance-id, the HTTP listener, client TLS, the monitor, pool.mode,
 * pool.health-check-interval, the address or TLS of a server kept under its name) is refused as a whole, naming
 * those keys, so that the running configuration is always one file's. Everything else applies at once: new logins use
 * the new users; the next statement the new routing rules, groups and servers (a removed server is no longer chosen,
 * the sessions on it finish there; an added one is chosen once the monitor polled it) and the timeouts read per
 * statement; the pools their new sizes and timeouts.
 */
public final class ConfigReload {

    /**
     * The outcome of {@link ProxyServer#reload}.
     *
     * @param applied whether the new configuration is in force
     * @param changed the keys that changed (applied or, when refused, that would have)
     * @param refusal why nothing was applied (the restart-only keys that changed); null when applied
     */
    public record Result(boolean applied, List<String> changed, String refusal) {
        /** Nothing applied, because of {@code why} (also for a file that does not load: its problems). */
        public static Result refused(List<String> changed, String why) {
            return new Result(false, List.copyOf(changed), why);
        }

        /** The same outcome with {@code more} changed keys (the application's own: log-level, shutdown-timeout). */
        public Result with(List<String> more) {
            List<String> all = new ArrayList<>(changed);
            all.addAll(more);
            return new Result(applied, List.copyOf(all), refusal);
        }

        /** One line for the log and an admin client. */
        public String describe() {
            if (!applied) {
                return "configuration not reloaded: " + refusal + "; nothing was changed";
            }
            return changed.isEmpty()
                    ? "configuration reloaded: nothing changed"
                    : "configuration reloaded: " + String.join(", ", changed);
        }
    }

    private ConfigReload() {}

    /** The keys that take effect only on restart and differ between {@code current} and {@code next}. */
    static List<String> restartOnly(ProxyConfig current, ProxyConfig next) {
        List<String> keys = new ArrayList<>();
        differs(keys, "listen", current, next, ProxyConfig::listeners);
        differs(keys, "instance-id", current, next, ProxyConfig::instanceId);
        differs(keys, "http", current, next, ProxyConfig::http);
        differs(keys, "tls", current, next, ProxyConfig::clientTls);
        for (ServerConfig before : current.servers()) {
            ServerConfig after = next.server(before.name());
            if (after != null && !sameConnection(before, after)) {
                keys.add("servers[" + before.name() + "] (its address or TLS; add it under a new name instead)");
            }
        }
        differs(keys, "monitor", current, next, ProxyConfig::monitor);
        differs(keys, "pool.mode", current, next, c -> c.pool().mode());
        differs(keys, "pool.health-check-interval", current, next, c -> c.pool().healthCheckInterval());
        differs(
                keys,
                "digests",
                current,
                next,
                c -> List.of(c.stats().digests(), c.stats().digestsMax()));
        differs(
                keys,
                "slow-query-log",
                current,
                next,
                c -> Arrays.asList(
                        c.stats().slowQueryThreshold(),
                        c.stats().slowQueriesPerSecond(),
                        c.stats().slowQueryLogFile()));
        differs(keys, "admin", current, next, ProxyConfig::admin);
        differs(keys, "users-from-server", current, next, ProxyConfig::usersFromServer);
        differs(keys, "capture", current, next, ProxyConfig::capture);
        differs(keys, "hostile", current, next, ProxyConfig::hostile);
        return keys;
    }

    /** The keys that reload live and differ; users named one by one (added, removed, changed). */
    static List<String> live(ProxyConfig current, ProxyConfig next) {
        List<String> keys = new ArrayList<>();
        servers(keys, current.servers(), next.servers());
        differs(keys, "groups", current, next, ProxyConfig::groups);
        users(keys, current.users(), next.users());
        differs(keys, "connect-timeout", current, next, c -> c.timeouts().connect());
        differs(
                keys,
                "client-handshake-timeout",
                current,
                next,
                c -> c.timeouts().clientHandshake());
        differs(keys, "client-write-timeout", current, next, c -> c.timeouts().clientWrite());
        differs(keys, "server-read-timeout", current, next, c -> c.timeouts().serverRead());
        differs(keys, "client-idle-timeout", current, next, c -> c.timeouts().clientIdle());
        differs(keys, "max-packet-size", current, next, c -> c.limits().maxPacketSize());
        differs(keys, "max-client-connections", current, next, c -> c.limits().maxClientConnections());
        differs(keys, "local-infile", current, next, ProxyConfig::localInfile);
        differs(keys, "validate", current, next, c -> c.validate().mode());
        differs(keys, "client-auth-plugin", current, next, ProxyConfig::clientAuthPlugin);
        differs(keys, "compression", current, next, ProxyConfig::compression);
        differs(keys, "routing", current, next, c -> routing(c.routing()));
        differs(
                keys,
                "pool",
                current,
                next,
                c -> c.pool().withMode(current.pool().mode()));
        return keys;
    }

    /** Checks {@code next} against {@code current}: the refusal, or the keys to apply. */
    static Result check(ProxyConfig current, ProxyConfig next) {
        List<String> changed = live(current, next);
        List<String> restart = restartOnly(current, next);
        if (!restart.isEmpty()) {
            List<String> all = new ArrayList<>(restart);
            all.addAll(changed);
            return Result.refused(
                    all,
                    String.join(", ", restart) + (restart.size() == 1 ? " changes" : " change") + " only on restart");
        }
        return new Result(true, changed, null);
    }

    private static void differs(
            List<String> keys, String key, ProxyConfig current, ProxyConfig next, Function<ProxyConfig, ?> part) {
        if (!Objects.equals(part.apply(current), part.apply(next))) {
            keys.add(key);
        }
    }

    /** Servers added and removed by name; a weight changed counts as "servers" (it reloads live). */
    private static void servers(List<String> keys, List<ServerConfig> current, List<ServerConfig> next) {
        List<String> before = current.stream().map(ServerConfig::name).toList();
        List<String> after = next.stream().map(ServerConfig::name).toList();
        after.stream().filter(n -> !before.contains(n)).forEach(n -> keys.add("servers: added " + n));
        before.stream().filter(n -> !after.contains(n)).forEach(n -> keys.add("servers: removed " + n));
        boolean weights = current.stream()
                .anyMatch(s -> next.stream().anyMatch(t -> t.name().equals(s.name()) && t.weight() != s.weight()));
        if (weights) {
            keys.add("servers: weights");
        }
    }

    /** Whether a server's connections would be made the same way (everything but its weight). */
    private static boolean sameConnection(ServerConfig a, ServerConfig b) {
        return a.host().equals(b.host())
                && a.port() == b.port()
                && a.tls().equals(b.tls())
                && a.allowCleartextPassword() == b.allowCleartextPassword()
                && Objects.equals(a.serverPublicKey(), b.serverPublicKey())
                && a.allowPublicKeyRetrieval() == b.allowPublicKeyRetrieval();
    }

    private static void users(List<String> keys, List<UserConfig> current, List<UserConfig> next) {
        Map<String, UserConfig> before =
                current.stream().collect(Collectors.toMap(UserConfig::name, Function.identity(), (a, b) -> a));
        Map<String, UserConfig> after =
                next.stream().collect(Collectors.toMap(UserConfig::name, Function.identity(), (a, b) -> a));
        after.keySet().stream()
                .filter(n -> !before.containsKey(n))
                .sorted()
                .forEach(n -> keys.add("users: added " + n));
        before.keySet().stream()
                .filter(n -> !after.containsKey(n))
                .sorted()
                .forEach(n -> keys.add("users: removed " + n));
        after.keySet().stream()
                .filter(n -> before.containsKey(n) && !before.get(n).equals(after.get(n)))
                .sorted()
                .forEach(n -> keys.add("users: changed " + n));
    }

    /** Routing settings comparable by value (a rule's Pattern has no equals of its own). */
    private static List<Object> routing(RoutingConfig r) {
        List<Object> parts = new ArrayList<>(List.of(
                r.readWriteSplit(),
                r.causalReads(),
                r.causalReadTimeout(),
                r.failoverBufferTimeout(),
                r.failoverBufferStatements()));
        for (RoutingRule rule : r.rules()) {
            parts.add(Objects.toString(rule.user()) + "|" + rule.schema() + "|"
                    + (rule.pattern() == null
                            ? null
                            : rule.pattern().pattern() + "/" + rule.pattern().flags())
                    + "|" + rule.group());
        }
        return parts;
    }
}
