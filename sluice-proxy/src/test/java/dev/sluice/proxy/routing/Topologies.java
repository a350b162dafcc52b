package dev.sluice.proxy.routing;

import dev.sluice.backend.ServerTls;
import dev.sluice.backend.TlsMode;
import dev.sluice.backend.topology.GtidPosition;
import dev.sluice.backend.topology.MonitoredServer;
import dev.sluice.backend.topology.ReplicationStatus;
import dev.sluice.backend.topology.ServerState;
import dev.sluice.backend.topology.Topology;
import dev.sluice.proxy.config.Balance;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.GroupRole;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.config.MonitorConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.config.ServerGroups;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the routing tests build their routers from: a configuration of four servers (p, r1, r2 in the writer group,
 * r3 outside it; r2 weighs 3, the others 1) with a few reader groups, and server states as a monitor's poll would
 * report them.
 */
final class Topologies {
    static final String P = "p";
    static final String R1 = "r1";
    static final String R2 = "r2";
    static final String R3 = "r3";
    static final String WRITER_GROUP = "primary";
    /** r1 and r2, lag limit 10 s, least-connections. */
    static final ServerGroup REPLICAS = ServerGroup.reader("replicas", List.of(R1, R2));
    /** r1 and r2 without a lag limit. */
    static final ServerGroup NO_LIMIT =
            new ServerGroup("no-limit", GroupRole.READER, List.of(R1, R2), null, Balance.LEAST_CONNECTIONS);
    /** p (the writer when it is writable) and r1. */
    static final ServerGroup WITH_WRITER = ServerGroup.reader("with-writer", List.of(P, R1));
    /** r1 (weight 1) and r2 (weight 3), picked at random by weight. */
    static final ServerGroup WEIGHTED = new ServerGroup(
            "weighted", GroupRole.READER, List.of(R1, R2), ServerGroup.DEFAULT_MAX_REPLICATION_LAG, Balance.WEIGHTED);

    private Topologies() {}

    static ProxyConfig config(RoutingConfig routing) {
        List<ServerConfig> servers = List.of(server(P, 1), server(R1, 1), server(R2, 3), server(R3, 1));
        ServerGroups groups = new ServerGroups(
                List.of(
                        ServerGroup.writer(WRITER_GROUP, List.of(P, R1, R2)),
                        REPLICAS,
                        NO_LIMIT,
                        WITH_WRITER,
                        WEIGHTED,
                        ServerGroup.reader("outside", List.of(R3))),
                true);
        return base(servers).withRouting(groups, MonitorConfig.of("monitor", "m"), routing);
    }

    /** Without a monitor: a writer group of r1 alone, listed after p. */
    static ProxyConfig unmonitored() {
        List<ServerConfig> servers = List.of(server(P, 1), server(R1, 1));
        ServerGroups groups = new ServerGroups(List.of(ServerGroup.writer(WRITER_GROUP, List.of(R1))), true);
        return base(servers).withRouting(groups, null, RoutingConfig.defaults());
    }

    private static ProxyConfig base(List<ServerConfig> servers) {
        return new ProxyConfig(
                List.of(new ListenerConfig("127.0.0.1", 0)),
                servers,
                List.of(UserConfig.of("app", "x")),
                new ClientTlsConfig(false, null, null, false),
                Timeouts.defaults(),
                Limits.defaults(),
                false);
    }

    private static ServerConfig server(String name, int weight) {
        return new ServerConfig(name, "127.0.0.1", 3306, ServerTls.of(TlsMode.DISABLED), false, null, false, weight);
    }

    static MonitoredServer monitored(String name) {
        return new MonitoredServer(name, "127.0.0.1", 3306);
    }

    /** Reachable with read_only=OFF, replicating from nobody. */
    static ServerState writable(String name, Instant polledAt) {
        GtidPosition pos = GtidPosition.parse("0-1-100");
        return new ServerState(monitored(name), true, "", false, null, pos, GtidPosition.EMPTY, pos, polledAt);
    }

    static ServerState writable(String name) {
        return writable(name, Instant.now());
    }

    /** Reachable, read_only=ON, both replication threads running, this far behind (null: NULL). */
    static ServerState replica(String name, Long secondsBehind) {
        return replica(name, secondsBehind, true, "0-1-100");
    }

    static ServerState replica(String name, Long secondsBehind, boolean running, String currentPos) {
        GtidPosition pos = GtidPosition.parse(currentPos);
        return new ServerState(
                monitored(name),
                true,
                "",
                true,
                new ReplicationStatus(true, running, secondsBehind, "127.0.0.1", 3306, "", ""),
                GtidPosition.EMPTY,
                pos,
                pos,
                Instant.now());
    }

    /** Reachable, read_only=ON, not a replica. */
    static ServerState readOnly(String name) {
        return new ServerState(monitored(name), true, "", true, null, null, null, null, Instant.now());
    }

    static ServerState unreachable(String name) {
        return ServerState.unreachable(monitored(name), "no answer", Instant.now());
    }

    static Topology topology(ServerState... servers) {
        return new Topology(List.of(servers), Instant.now());
    }

    /** A router without servers, and the topology it sees: {@link #publish} is what the monitor would do. */
    static final class Harness implements AutoCloseable {
        final AtomicReference<Topology> latest = new AtomicReference<>(topology());
        final Router router;

        Harness(ProxyConfig config) {
            router = new Router(config, latest::get);
        }

        /** Makes {@code topology} the latest without telling the listeners (what a reader sees between polls). */
        Harness see(Topology topology) {
            latest.set(topology);
            return this;
        }

        /** Makes {@code topology} the latest and tells the router, as the monitor's listener is told. */
        void publish(Topology topology) {
            latest.set(topology);
            router.topologyChanged(topology);
        }

        @Override
        public void close() {
            router.close();
        }
    }
}
