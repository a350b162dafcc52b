package dev.sluice.proxy.admin;

import dev.sluice.backend.Transport;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.config.AdminConfig;
import dev.sluice.proxy.frontend.ClientHandshakeHandler;
import dev.sluice.proxy.frontend.FrontendSettings;
import dev.sluice.proxy.frontend.Refusals;
import dev.sluice.proxy.frontend.Sha2Cache;
import dev.sluice.proxy.ops.OwnLoopListener;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin interface's listener ({@code admin.listen}), on an event loop of its own so that an operator's command
 * never delays the relay. Logins go through the frontend's own handshake (the same plugins, TLS and refusals as the
 * main port) against the admin users only; then {@link AdminConnection} answers. At most {@link #MAX_CONNECTIONS}
 * admin clients at once (more get ERR 1040).
 */
public final class AdminServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 64;

    private final OwnLoopListener listener;

    private AdminServer(OwnLoopListener listener) {
        this.listener = listener;
    }

    /**
     * Binds the listener.
     *
     * @param tls the admin clients' TLS context, or null to offer none
     * @param authPlugin the plugin the greeting announces ({@code client-auth-plugin})
     * @param handshakeTimeout from accept to the login's OK ({@code client-handshake-timeout})
     */
    public static AdminServer start(
            AdminConfig config,
            Transport transport,
            AdminContext admin,
            SslContext tls,
            String authPlugin,
            Duration handshakeTimeout) {
        AtomicLong ids = new AtomicLong();
        FrontendSettings settings = new FrontendSettings(
                DriverQueries.VERSION,
                CapabilityPolicy.offeredToClients(false),
                FrontendSettings.UTF8MB4_GENERAL_CI,
                ServerStatus.AUTOCOMMIT,
                ids::incrementAndGet,
                config::user,
                tls,
                tls != null && config.tls().required(),
                authPlugin,
                FrontendSettings.processRsaKeyPair(),
                new Sha2Cache(),
                handshakeTimeout,
                DriverQueries.MAX_PACKET);
        AdminTables tables = new AdminTables(admin);
        AtomicInteger open = new AtomicInteger();
        return new AdminServer(OwnLoopListener.bind(transport, config.listen(), "admin.listen", ch -> {
            if (open.incrementAndGet() > MAX_CONNECTIONS) {
                open.decrementAndGet();
                Refusals.refuseTooManyConnections(ch);
                return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ClientHandshakeHandler.install(ch.pipeline(), settings);
            ch.pipeline().addLast("admin", new AdminConnection(admin, tables));
        }));
    }

    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public void close() {
        listener.close();
    }
}
