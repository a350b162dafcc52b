package dev.sluice.proxy.admin;

import dev.sluice.proxy.session.ClientSession;
import dev.sluice.proxy.session.ProxyErrors;
import dev.sluice.proxy.session.SessionViews;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code KILL [CONNECTION] id}: the session ends, its client getting ERR 1927 that an operator ended it (as the
 * answer to the statement it runs, or to its next one), and what it ran on the server is stopped. {@code KILL QUERY
 * id}: the statement the session runs is stopped on its server (KILL QUERY there, on a connection of its own, as a
 * cancel is); the client gets the server's ERR for it and the session goes on. An id that is no live session: ERR 1094.
 */
final class SessionControl {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.admin");
    /** How long a session's event loop has to carry out the KILL before the admin hears it did not. */
    static final long WAIT_MILLIS = 2000;

    private SessionControl() {}

    static CompletableFuture<AdminReply> kill(AdminContext admin, String who, boolean query, long id) {
        ClientSession session = admin.proxy().registry().find(id);
        if (session == null) {
            return CompletableFuture.completedFuture(AdminReply.error(ProxyErrors.unknownThread(id)));
        }
        CompletableFuture<AdminReply> reply;
        if (query) {
            LOG.info("admin {}: KILL QUERY {}", who, id);
            reply = SessionViews.killQuery(session, "KILL QUERY on the admin interface by " + who)
                    .thenApply(killed -> killed
                            ? AdminReply.ok(1, "the statement of session " + id + " is being killed on its server")
                            : AdminReply.ok(0, "session " + id + " runs no statement on a server"));
        } else {
            LOG.info("admin {}: KILL CONNECTION {}", who, id);
            reply = SessionViews.end(
                            session,
                            ProxyErrors.endedByOperator("KILL CONNECTION " + id + " on the admin interface"),
                            "ended by KILL CONNECTION on the admin interface by " + who)
                    .thenApply(ended -> ended
                            ? AdminReply.ok(1, "session " + id + " ended")
                            : AdminReply.error(ProxyErrors.unknownThread(id)));
        }
        return reply.completeOnTimeout(
                AdminReply.error(ProxyErrors.adminFailed(
                        "session " + id + "'s event loop did not answer within " + WAIT_MILLIS + " ms")),
                WAIT_MILLIS,
                TimeUnit.MILLISECONDS);
    }
}
