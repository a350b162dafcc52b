package dev.sluice.proxy.session;

import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.pool.Pools;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.ServerConfig;

/**
 * What every session shares: the configuration, the id registry, the connector for server connections,
 * and what was learned about the servers (their greeting: version and capabilities).
 */
public final class ProxyContext {
    /** Advertised until a server's greeting was seen (see docs/CONFIGURATION.md). */
    public static final String FALLBACK_VERSION = "5.5.5-10.11.0-MariaDB-sluice-unknown";

    private final ProxyConfig config;
    private final SessionRegistry registry;
    private final ServerConnector connector;
    private final long serverCapabilityMask;
    private final Pools pools;
    private volatile HandshakeV10 serverGreeting;

    /**
     * @param serverCapabilityMask capabilities never asked of servers (tests use it to make a server look
     *     older, e.g. without CLIENT_DEPRECATE_EOF, so translation is exercised); 0 in production
     */
    public ProxyContext(ProxyConfig config, SessionRegistry registry, ServerConnector connector, long serverCapabilityMask) {
        this.config = config;
        this.registry = registry;
        this.connector = connector;
        this.serverCapabilityMask = serverCapabilityMask;
        this.pools = new Pools(connector, config.pool());
        for (ServerConfig server : config.servers()) {
            pools.monitor(server.name(), server.host(), server.port(), config.timeouts().connect());
        }
    }

    public Pools pools() {
        return pools;
    }

    public ProxyConfig config() {
        return config;
    }

    public SessionRegistry registry() {
        return registry;
    }

    public ServerConnector connector() {
        return connector;
    }

    public long serverCapabilityMask() {
        return serverCapabilityMask;
    }

    /** The server every session uses until routing exists: the first configured. */
    public ServerConfig primaryServer() {
        return config.servers().get(0);
    }

    public HandshakeV10 serverGreeting() {
        return serverGreeting;
    }

    public void learnGreeting(HandshakeV10 greeting) {
        this.serverGreeting = greeting;
    }

    public String serverVersion() {
        HandshakeV10 g = serverGreeting;
        return g == null ? FALLBACK_VERSION : g.serverVersion();
    }
}
