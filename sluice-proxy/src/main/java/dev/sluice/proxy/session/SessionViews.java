package dev.sluice.proxy.session;

import dev.sluice.protocol.message.server.ErrPacket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the admin interface sees of a session, and what an operator does to one. A session's fields belong to its
 * event loop: every read and every action here runs there (the caller gets a future), never on the admin's thread.
 */
public final class SessionViews {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private SessionViews() {}

    /**
     * One session as its loop saw it.
     *
     * @param state {@code in statement} (a command runs), {@code waiting} (commands wait for a server connection),
     *     {@code in transaction} (between statements of an open transaction), or {@code idle}
     * @param pinned why the session is kept on its server connection (reasons, objects, causes); empty when not
     * @param statement the command running now (a COM_QUERY's first 100 bytes), null when none
     * @param statementMillis how long it has run, null when none
     * @param server the server of the connection the session holds, null when none
     * @param serverThread that connection's thread id on the server, null when none
     */
    public record View(
            long id,
            String user,
            String client,
            String database,
            String state,
            String pinned,
            String statement,
            Long statementMillis,
            String server,
            Long serverThread) {}

    /** The session's view, read on its loop. */
    public static CompletableFuture<View> view(ClientSession session) {
        return onLoop(session, () -> read(session));
    }

    private static View read(ClientSession s) {
        Exchange running = s.running();
        ServerSide side = s.serverSide();
        String state = running != null
                ? "in statement"
                : s.hasQueued() ? "waiting" : s.status().inTransaction() ? "in transaction" : "idle";
        SessionPins pins = s.keeper().pins();
        String pinned = pins.isPinned()
                ? pins.pins().stream().map(SessionPins.Pin::toString).collect(Collectors.joining("; "))
                : "";
        String statement = null;
        Long millis = null;
        if (running != null) {
            statement = running.commandName().equals("COM_QUERY") ? s.lastStatement() : running.commandName();
            millis = (System.nanoTime() - s.commandStarted()) / 1_000_000;
        }
        boolean held = side.isHeld();
        return new View(
                s.id(),
                s.user(),
                s.remoteHost(),
                s.database(),
                state,
                pinned,
                statement,
                millis,
                held ? side.server().name() : null,
                held && side.threadId() >= 0 ? side.threadId() : null);
    }

    /**
     * Ends the session for an operator. A session running a statement: the client gets {@code err} as its answer,
     * the statement is stopped on the server, the session closes. A session between statements: its server
     * connection is closed now (an open transaction there rolls back), and its next command gets {@code err}, after
     * which the session closes (an ERR sent to a client that waits for nothing would be read as the answer to its
     * next command by some drivers and break others). False when it had already ended.
     */
    public static CompletableFuture<Boolean> end(ClientSession session, ErrPacket err, String reason) {
        return onLoop(session, () -> endNow(session, err, reason));
    }

    /**
     * Ends the session as {@link #end} does when it holds a connection to {@code server}; false when it does not
     * (or had ended).
     */
    public static CompletableFuture<Boolean> endIfOn(
            ClientSession session, String server, ErrPacket err, String reason) {
        return onLoop(session, () -> {
            ServerSide side = session.serverSide();
            return side.isHeld() && side.server().name().equals(server) && endNow(session, err, reason);
        });
    }

    private static boolean endNow(ClientSession s, ErrPacket err, String reason) {
        if (s.isClosed()) {
            return false;
        }
        if (s.running() != null) {
            s.output().write(err); // the answer to the statement running; close stops it on the server
            s.close(reason, true);
        } else if (s.hasQueued()) {
            s.failHead(err); // the command waiting for a connection
            s.close(reason, true);
        } else {
            // the client waits for nothing: its server connection goes now, its next command hears why
            s.leases().endedByOperator(err);
            LOG.info("session {}: {}; its next command is refused", s.id(), reason);
        }
        return true;
    }

    /**
     * Stops the statement the session runs (KILL QUERY on a connection of its own to the same server, as a cancel
     * does); the client gets the server's ERR for it and the session goes on. False when nothing runs.
     */
    public static CompletableFuture<Boolean> killQuery(ClientSession session, String why) {
        return onLoop(session, () -> {
            Exchange running = session.running();
            if (session.isClosed() || running == null || !session.serverSide().isHeld()) {
                return false;
            }
            session.serverSide().cancel(running, why);
            return true;
        });
    }

    /** The views of these sessions, read on their loops. */
    public static List<CompletableFuture<View>> views(Iterable<ClientSession> sessions) {
        List<CompletableFuture<View>> result = new java.util.ArrayList<>();
        sessions.forEach(s -> result.add(view(s)));
        return result;
    }

    private static <T> CompletableFuture<T> onLoop(ClientSession session, Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            session.channel().eventLoop().execute(() -> {
                try {
                    result.complete(task.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) { // the loop is shutting down
            result.completeExceptionally(e);
        }
        return result;
    }
}
