package dev.sluice.proxy.admin;

import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.routing.AdminStates;
import dev.sluice.proxy.session.ClientSession;
import dev.sluice.proxy.session.ProxyErrors;
import dev.sluice.proxy.session.SessionViews;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SET SERVER name OFFLINE SOFT | OFFLINE HARD | ONLINE}. Offline (either): no new lease of the server, from
 * this statement on; readers are chosen among the others, and a statement that can only go there (the writer, or the
 * only server) gets ERR 1429 saying the server is offline, without being sent. Soft: sessions holding a connection
 * to it go on, until they give it back (transaction mode: at the end of their transaction) or end. Hard: those
 * sessions are ended now, each client getting ERR 1927. Online: leases of it again.
 */
final class ServerControl {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.admin");

    private ServerControl() {}

    static CompletableFuture<AdminReply> set(AdminContext admin, String who, String name, String what) {
        ServerConfig server = admin.proxy().config().server(name);
        if (server == null) {
            String all = admin.proxy().config().servers().stream()
                    .map(ServerConfig::name)
                    .collect(Collectors.joining(", "));
            return CompletableFuture.completedFuture(AdminReply.error(ProxyErrors.adminUnknownServer(name, all)));
        }
        AdminStates.State state =
                AdminStates.State.valueOf(what.toUpperCase(Locale.ROOT).trim().replaceAll("\\s+", "_"));
        AdminStates states = admin.proxy().router().adminStates();
        AdminStates.State before = states.state(server.name());
        states.set(server.name(), state);
        LOG.warn("admin {}: server {} set {} (was {})", who, server.name(), state, before);
        if (state != AdminStates.State.OFFLINE_HARD) {
            return CompletableFuture.completedFuture(
                    AdminReply.ok(0, "server " + server.name() + " is " + state + " (was " + before + ")"));
        }
        List<CompletableFuture<Boolean>> ended = new ArrayList<>();
        for (ClientSession s : admin.proxy().registry().all()) {
            ended.add(SessionViews.endIfOn(
                    s,
                    server.name(),
                    ProxyErrors.endedByOperator(
                            "server " + server.name() + " was set OFFLINE HARD on the admin interface"),
                    "its server " + server.name() + " was set OFFLINE HARD on the admin interface by " + who));
        }
        return CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new))
                .handle((ok, failed) -> null)
                .completeOnTimeout(null, SessionControl.WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(ignored -> {
                    long n = ended.stream()
                            .filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join())
                            .count();
                    return AdminReply.ok(
                            n,
                            "server " + server.name() + " is OFFLINE_HARD (was " + before + "); " + n
                                    + " sessions holding a connection to it were ended");
                });
    }
}
