package dev.sluice.app;

import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ProxyConfig;
import java.net.InetSocketAddress;
import java.util.List;

/** Starts the proxy; an interface so that command tests do not need a running proxy. */
@FunctionalInterface
interface ProxyLauncher {
    Running start(ProxyConfig config);

    /** A started proxy. */
    interface Running extends AutoCloseable {
        List<InetSocketAddress> addresses();

        /** Where the HTTP listener (status page, metrics) is bound; null when none. */
        default InetSocketAddress httpAddress() {
            return null;
        }

        /** Where the admin interface is bound; null when none. */
        default InetSocketAddress adminAddress() {
            return null;
        }

        @Override
        void close();
    }

    /** The real one: {@link ProxyServer#start}. */
    static ProxyLauncher proxyServer() {
        return config -> {
            ProxyServer server = ProxyServer.start(config);
            return new Running() {
                @Override
                public List<InetSocketAddress> addresses() {
                    return server.addresses();
                }

                @Override
                public InetSocketAddress httpAddress() {
                    return server.httpAddress();
                }

                @Override
                public InetSocketAddress adminAddress() {
                    return server.adminAddress();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        };
    }
}
