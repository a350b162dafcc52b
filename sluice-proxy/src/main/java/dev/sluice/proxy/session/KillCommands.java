package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's KILL (the statement, or COM_PROCESS_KILL) names a Sluice session id; it goes to the server for the
 * thread behind that session, never with the client's number. The target's thread is held (see {@link ServerThread})
 * until the server has answered, so the KILL cannot reach a connection another client leased meanwhile. An id that
 * is no live Sluice session gets ERR 1094, another user's session ERR 1095, as a server answers them.
 */
final class KillCommands {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private KillCommands() {}

    /** A session whose server thread is held for a KILL. */
    private record Held(ClientSession target, long serverThread) {}

    static void kill(ClientSession session, KillStatement kill) {
        Held held = hold(session, kill.id(), kill.query());
        if (held == null) {
            return;
        }
        LOG.info(
                "session {}: {} for session {} (server thread {})",
                session.id(),
                kill.query() ? "KILL QUERY" : "KILL",
                kill.id(),
                held.serverThread());
        ByteBuf sql = session.output().allocate();
        sql.writeByte(Command.COM_QUERY.code());
        sql.writeCharSequence(kill.withId(held.serverThread()), StandardCharsets.UTF_8);
        session.forwardOwn(new Packet(0, sql), Command.COM_QUERY, held.target().thread()::release);
    }

    /** COM_PROCESS_KILL: the command byte and the id as int&lt;4&gt;; its packet is released here. */
    static void processKill(ClientSession session, Packet packet) {
        ByteBuf payload = packet.payload();
        long id = payload.readableBytes() >= 5 ? payload.getUnsignedIntLE(payload.readerIndex() + 1) : -1;
        packet.release();
        if (id < 0) {
            session.output().write(ProxyErrors.malformed("COM_PROCESS_KILL without an id"));
            return;
        }
        Held held = hold(session, id, false);
        if (held == null) {
            return;
        }
        ByteBuf kill = session.output().allocate();
        kill.writeByte(Command.COM_PROCESS_KILL.code());
        kill.writeIntLE((int) held.serverThread());
        session.forwardOwn(
                new Packet(0, kill), Command.COM_PROCESS_KILL, held.target().thread()::release);
    }

    /**
     * The session the id names with its server thread held, or null after answering the client: ERR 1094 for an id
     * that is no live Sluice session (server thread ids included: they are never forwarded) or one without a server
     * thread, ERR 1095 for another user's session.
     */
    private static Held hold(ClientSession session, long id, boolean queryOnly) {
        ClientSession target =
                SessionRegistry.isSluiceId(id) ? session.context().registry().find(id) : null;
        if (target == null) {
            session.output().write(ProxyErrors.unknownThread(id));
            return null;
        }
        if (!target.user().equals(session.user())) {
            session.output().write(ProxyErrors.notOwner(id));
            return null;
        }
        long serverThread = target.thread().hold();
        if (serverThread < 0) {
            // the session holds no server connection (transaction mode, between transactions; or not yet): nothing
            // runs for it; KILL QUERY has nothing to stop, KILL ends the session, as the server does for an idle thread
            if (!queryOnly) {
                LOG.info("session {}: KILL for session {}, which holds no server connection", session.id(), id);
                target.closeFromOutside("killed by session " + session.id());
            }
            session.output().write(OkPacket.of(0, 0, session.status().flags(), 0));
            return null;
        }
        return new Held(target, serverThread);
    }
}
