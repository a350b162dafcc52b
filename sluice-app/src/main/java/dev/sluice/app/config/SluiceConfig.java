package dev.sluice.app.config;

import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import java.util.stream.Collectors;

/**
 * The validated configuration: what the proxy runs with, plus what only the application uses.
 *
 * @param logLevel {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}; null when the
 *     configuration does not say (then {@code SLUICE_LOG_LEVEL} or {@code info} applies)
 * @param shutdownTimeout how long a stopping Sluice lets statements and transactions in flight finish (SIGTERM)
 */
public record SluiceConfig(ProxyConfig proxy, String logLevel, java.time.Duration shutdownTimeout) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:3307";
    public static final java.time.Duration DEFAULT_SHUTDOWN_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** The effective configuration on one line, for the log. Never contains a password or a password hash. */
    public String summary() {
        ProxyConfig p = proxy;
        StringBuilder s = new StringBuilder();
        s.append("listen ")
                .append(p.listeners().stream()
                        .map(l -> new HostPort(l.host(), l.port()).toString())
                        .collect(Collectors.joining(", ")));
        s.append("; servers ")
                .append(p.servers().stream().map(SluiceConfig::server).collect(Collectors.joining(", ")));
        if (p.groups().configured()) {
            s.append("; groups ")
                    .append(p.groups().groups().stream()
                            .map(SluiceConfig::group)
                            .collect(Collectors.joining(", ")));
        }
        if (p.monitor() != null) {
            s.append("; monitor ")
                    .append(p.monitor().user())
                    .append(" every ")
                    .append(p.monitor().interval().toMillis())
                    .append(" ms");
            s.append("; routing ")
                    .append(p.routing().readWriteSplit() ? "read/write split" : "no split")
                    .append(", causal reads ")
                    .append(p.routing().causalReads().name().toLowerCase(java.util.Locale.ROOT))
                    .append(", failover buffer ")
                    .append(p.routing().failoverBufferTimeout().toMillis())
                    .append(" ms, ")
                    .append(p.routing().rules().size())
                    .append(" rules");
        }
        s.append("; users ");
        s.append(
                p.users().isEmpty()
                        ? (p.usersFromServer() == null ? "none (every login is refused)" : "none configured")
                        : p.users().stream().map(SluiceConfig::user).collect(Collectors.joining(", ")));
        if (p.usersFromServer() != null) {
            s.append("; users-from-server as ")
                    .append(p.usersFromServer().user())
                    .append(" every ")
                    .append(Durations.format(p.usersFromServer().refreshInterval()));
        }
        s.append("; tls ");
        if (!p.clientTls().enabled()) {
            s.append("off");
        } else {
            s.append(
                    p.clientTls().selfSignedCertificate()
                            ? "self-signed"
                            : p.clientTls().certificate());
            s.append(p.clientTls().required() ? " (required)" : " (optional)");
        }
        Timeouts t = p.timeouts();
        s.append("; connect-timeout ").append(Durations.format(t.connect()));
        s.append(", client-handshake-timeout ").append(Durations.format(t.clientHandshake()));
        s.append(", client-write-timeout ").append(Durations.format(t.clientWrite()));
        s.append(", server-read-timeout ").append(Durations.format(t.serverRead()));
        s.append(", client-idle-timeout ").append(Durations.format(t.clientIdle()));
        s.append(", shutdown-timeout ").append(Durations.format(shutdownTimeout));
        s.append("; max-packet-size ").append(Sizes.format(p.limits().maxPacketSize()));
        s.append(", max-client-connections ").append(p.limits().maxClientConnections());
        s.append("; local-infile ").append(p.localInfile() ? "on" : "off");
        if (!p.compression().equals(dev.sluice.proxy.config.CompressionConfig.defaults())) {
            s.append("; compression to clients ")
                    .append(p.compression().clients() ? "offered" : "off")
                    .append(", to servers ")
                    .append(
                            p.compression().servers() == null
                                    ? "off"
                                    : p.compression().servers().configName());
        }
        s.append("; client-auth-plugin ").append(p.clientAuthPlugin());
        s.append("; pool max-size ")
                .append(
                        p.pool().maxSize() == 0
                                ? "none"
                                : String.valueOf(p.pool().maxSize()))
                .append(", min-idle ")
                .append(p.pool().minIdle())
                .append(", idle-timeout ")
                .append(Durations.format(p.pool().idleTimeout()))
                .append(", max-lifetime ")
                .append(Durations.format(p.pool().maxLifetime()))
                .append(", acquire-timeout ")
                .append(Durations.format(p.pool().acquireTimeout()))
                .append(", health-check-interval ")
                .append(Durations.format(p.pool().healthCheckInterval()))
                .append(", reset-timeout ")
                .append(Durations.format(p.pool().resetTimeout()))
                .append(", max-server-connections ")
                .append(
                        p.pool().maxServerConnections() == 0
                                ? "server's max_connections - " + p.pool().reservedConnections()
                                : String.valueOf(p.pool().maxServerConnections()));
        s.append("; instance-id ").append(p.instanceId());
        if (p.http() != null) {
            s.append("; http ")
                    .append(new HostPort(
                            p.http().listen().host(), p.http().listen().port()));
        }
        if (!p.stats().digests()) {
            s.append("; digests off");
        } else if (p.stats().digestsMax() != dev.sluice.proxy.config.StatsConfig.DEFAULT_DIGESTS_MAX) {
            s.append("; digests at most ").append(p.stats().digestsMax()).append(" rows");
        }
        if (p.stats().slowQueryThreshold() != null) {
            s.append("; slow query log from ")
                    .append(p.stats().slowQueryThreshold().toMillis())
                    .append(" ms to ")
                    .append(
                            p.stats().slowQueryLogFile() == null
                                    ? "the log"
                                    : p.stats().slowQueryLogFile());
        }
        if (p.admin() != null) {
            s.append("; admin ")
                    .append(new HostPort(
                            p.admin().listen().host(), p.admin().listen().port()));
        }
        if (p.capture() != null) {
            s.append("; captures to ")
                    .append(p.capture().dir())
                    .append(p.capture().onError() ? " (on error)" : "")
                    .append(p.capture().continuous() ? " (continuous)" : "");
        }
        return s.toString();
    }

    private static String server(ServerConfig server) {
        return server.name() + "=" + new HostPort(server.host(), server.port()) + " (" + server.describeSecurity()
                + ")";
    }

    /** {@code replicas (reader: db2, db3; max-replication-lag 10s, least-connections)}. */
    private static String group(ServerGroup group) {
        String servers = group.role().configName() + ": " + String.join(", ", group.servers());
        if (group.isWriter()) {
            return group.name() + " (" + servers + ")";
        }
        return group.name() + " (" + servers + "; max-replication-lag "
                + Durations.format(group.maxReplicationLag()) + ", "
                + group.balance().configName() + ")";
    }

    private static String user(UserConfig user) {
        String auth = user.password() == null ? " [hash]" : "";
        return user.serverUser().equals(user.name())
                ? user.name() + auth
                : user.name() + auth + "->" + user.serverUser();
    }
}
