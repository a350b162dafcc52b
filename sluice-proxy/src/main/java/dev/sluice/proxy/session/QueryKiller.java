package dev.sluice.proxy.session;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.DeadlineExceededException;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.pool.PoolStats;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a statement on a server from outside its connection: KILL QUERY on a connection of its own (the
 * statement's connection is busy streaming), logged in as the same server user with the same TLS and password
 * rules. {@code connect-timeout} bounds the login and the KILL: a server that stops answering never keeps this
 * control connection open. The outcome is logged and counted; nobody waits for it.
 */
final class QueryKiller {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private QueryKiller() {}

    /**
     * @param who the log prefix naming the session ("session N: ")
     * @param what the command being stopped, for the log
     * @param why what made Sluice stop it, for the log
     */
    static void kill(
            ProxyContext context,
            ServerConfig server,
            UserConfig user,
            long thread,
            PoolStats stats,
            EventLoop loop,
            String who,
            String what,
            String why) {
        ConnectOptions options = ServerLogin.options(server, user)
                .connectTimeout(context.config().timeouts().connect())
                .build();
        stats.killed();
        context.killStarted();
        String kill = "KILL QUERY " + thread;
        context.connector()
                .connect(options, loop)
                .thenCompose(killer -> killer.within(
                                killer.query(kill),
                                options.connectTimeout(),
                                kill + " within connect-timeout "
                                        + options.connectTimeout().toMillis() + " ms")
                        .whenComplete((r, e) -> {
                            if (e instanceof DeadlineExceededException) {
                                stats.killTimedOut();
                            }
                            killer.close();
                        }))
                .whenComplete((r, e) -> {
                    context.killEnded();
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (e == null) {
                        LOG.info("{}killed {} on server {} thread {} ({})", who, what, server.name(), thread, why);
                    } else if (cause instanceof ServerException se && se.errorCode() == ProxyErrors.UNKNOWN_THREAD) {
                        // the discarded server connection went first, taking its statement with it
                        LOG.info(
                                "{}{} on server {} thread {} already ended with its connection ({})",
                                who,
                                what,
                                server.name(),
                                thread,
                                why);
                    } else {
                        LOG.warn(
                                "{}could not kill {} on server {} thread {} ({}): {}",
                                who,
                                what,
                                server.name(),
                                thread,
                                why,
                                e.getMessage());
                    }
                });
    }
}
