package dev.sluice.app;

import dev.sluice.proxy.ConfigReload;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ProxyConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

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

        /** The graceful drain before {@link #close} (see ProxyServer#drain); nothing to drain by default. */
        default void drain(Duration timeout) {}

        /** Where an admin's RELOAD CONFIG reads the configuration again (see ProxyServer#reloadSource). */
        default void reloadSource(Supplier<ConfigReload.Result> source) {}

        /** A configuration reload (see ProxyServer#reload); applied with nothing to apply by default. */
        default ConfigReload.Result reload(ProxyConfig next) {
            return new ConfigReload.Result(true, List.of(), null);
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
                public void reloadSource(Supplier<ConfigReload.Result> source) {
                    server.reloadSource(source);
                }

                @Override
                public ConfigReload.Result reload(ProxyConfig next) {
                    return server.reload(next);
                }

                @Override
                public void drain(Duration timeout) {
                    server.drain(timeout);
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        };
    }
}
