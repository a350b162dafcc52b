package dev.sluice.proxy;

import dev.sluice.backend.ServerException;
import dev.sluice.backend.pool.HealthMonitor;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.frontend.Refusals;
import dev.sluice.proxy.session.ProxyContext;
import dev.sluice.proxy.session.ProxyErrors;
import io.netty.channel.Channel;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a just-accepted client until the server's greeting is known, so that Sluice's own greeting never
 * promises what the server lacks (a version or capabilities such as CLIENT_SESSION_TRACK). Once a greeting was
 * seen (the probe at start, any later probe, any new server connection) clients pass at once. Before that, a
 * client waits for a probe of the server, at most connect-timeout (one probe runs for all waiting clients); when
 * the server cannot be reached it is refused with the ERR a session gets for an unreachable server (1429), or
 * with the server's own ERR when the server refused the probe (e.g. 1040), in place of the greeting. As for
 * sessions, an unreachable server is marked down in its health check, and while it is down clients are refused
 * at once, until a check succeeds.
 */
final class GreetingGate {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private GreetingGate() {}

    /** Calls {@code proceed} with the server's greeting on the channel's event loop, or refuses the client. */
    static void whenKnown(Channel channel, ProxyContext context, Consumer<HandshakeV10> proceed) {
        HandshakeV10 known = context.serverGreeting();
        if (known != null) {
            proceed.accept(known);
            return;
        }
        ServerConfig server = context.primaryServer();
        HealthMonitor health = context.pools().health(server.name());
        if (health != null && health.isDown()) {
            context.pools().stats(server.name()).failedFast();
            context.stats().refused(dev.sluice.proxy.stats.StatementStats.Refusal.SERVER_UNAVAILABLE);
            refuse(
                    channel,
                    ProxyErrors.cannotConnect(
                            describe(server),
                            "server " + server.name() + " is down (" + health.lastFailure() + "); checked every "
                                    + health.interval().toMillis() + " ms"));
            return;
        }
        channel.config().setAutoRead(false); // a client sends nothing before its greeting; nothing is read meanwhile
        context.serverGreetingWhenKnown().whenComplete((greeting, failure) -> {
            if (failure != null && health != null && !(unwrap(failure) instanceof ServerException)) {
                health.reportUnreachable(unwrap(failure).getMessage());
            }
            channel.eventLoop().execute(() -> {
                if (!channel.isActive()) {
                    return;
                }
                if (failure != null) {
                    context.stats().refused(dev.sluice.proxy.stats.StatementStats.Refusal.SERVER_UNAVAILABLE);
                    refuse(channel, refusal(context, failure));
                    return;
                }
                channel.config().setAutoRead(true);
                proceed.accept(greeting);
            });
        });
    }

    private static void refuse(Channel channel, ErrPacket err) {
        LOG.info("client from {} refused: the server's greeting is not known yet: {}", channel.remoteAddress(), err);
        Refusals.refuse(channel, err);
    }

    /** The ERR for a client that cannot be greeted because the probe failed. */
    static ErrPacket refusal(ProxyContext context, Throwable failure) {
        ServerConfig server = context.primaryServer();
        Throwable cause = unwrap(failure);
        if (cause instanceof ServerException se) {
            return ProxyErrors.fromServer(se.err(), server.name());
        }
        String why = cause instanceof TimeoutException
                ? "no greeting within connect-timeout "
                        + context.config().timeouts().connect().toMillis() + " ms"
                : cause.getMessage();
        return ProxyErrors.cannotConnect(describe(server), why);
    }

    private static String describe(ServerConfig server) {
        return server.name() + " (" + server.address() + ")";
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
