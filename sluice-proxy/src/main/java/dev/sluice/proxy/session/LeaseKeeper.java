package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Whether a session in {@code pool.mode: transaction} may give its server connection back after a command, and why
 * not: a transaction is open, or something of the session lives only on that connection ({@link SessionPins}, fed
 * with each statement's {@link StatementEffects} once its answer is known). Also whether a command must run where
 * the session's previous statement ran (it reads ROW_COUNT(), FOUND_ROWS(), warnings, a sequence's last value).
 */
final class LeaseKeeper {
    private final SessionPins pins;
    /** The effects of the COM_QUERY in flight, applied when its answer is complete. */
    private StatementEffects pending = StatementEffects.NONE;
    /** A classification made before the lease for the command at the head of the queue, reused when it is sent. */
    private Packet classified;

    private StatementEffects classifiedEffects;
    /** Pins a prepared statement's long data or cursor holds (PreparedStatements says when). */
    private boolean longData;

    private boolean cursor;

    LeaseKeeper(long sessionId) {
        this.pins = new SessionPins(sessionId, PinCounters.global());
    }

    /** What pins the session now (for the admin interface). */
    SessionPins pins() {
        return pins;
    }

    /**
     * Before leasing for {@code packet}: true when it reads values the session's previous statement left on the
     * connection that ran it, so that connection should serve it again.
     */
    boolean wantsPreviousConnection(Packet packet, boolean noBackslashEscapes) {
        ByteBuf payload = packet.payload();
        if (!payload.isReadable() || payload.getUnsignedByte(payload.readerIndex()) != Command.COM_QUERY.code()) {
            return false;
        }
        StatementEffects effects = classify(payload, noBackslashEscapes);
        classified = packet;
        classifiedEffects = effects;
        return effects.readsFoundRows()
                || effects.readsRowCount()
                || effects.readsDiagnostics()
                || effects.readsSequenceValue()
                || effects.readsLastInsertId();
    }

    /** A command of the client is about to go to the server: what it may leave on the connection. */
    void command(Command command, Packet packet, boolean noBackslashEscapes) {
        ByteBuf payload = packet.payload();
        switch (command) {
            case COM_QUERY -> {
                pending = classified == packet ? classifiedEffects : classify(payload, noBackslashEscapes);
            }
            case COM_SET_OPTION -> pins.pin(PinReason.CONNECTION_OPTION, null, command.name());
            case COM_STMT_PREPARE -> {
                if (!ClientSession.PREPARED_ACROSS_CONNECTIONS) {
                    pins.pin(PinReason.PREPARED_STATEMENT, null, text(payload));
                }
            }
            case COM_RESET_CONNECTION -> pins.clear();
            default -> pending = StatementEffects.NONE;
        }
        classified = null;
        classifiedEffects = null;
    }

    /** The command's answer is complete: {@code ok} unless it ended in an ERR. */
    void answered(boolean ok, SessionStatus status) {
        pins.applied(pending, ok, null);
        pending = StatementEffects.NONE;
        if (!status.inTransaction()) {
            pins.transactionEnded();
        }
    }

    /** A reason only the protocol or the state tracker shows. */
    void pin(PinReason reason, String cause) {
        pins.pin(reason, null, cause);
    }

    /**
     * What the session's prepared statements hold on the connection now: long data not yet executed, an open cursor
     * (both live on one server statement, so the session keeps that connection).
     */
    void prepared(boolean longData, boolean cursor) {
        if (longData != this.longData) {
            this.longData = longData;
            if (longData) {
                pins.pin(PinReason.LONG_DATA, null, "COM_STMT_SEND_LONG_DATA");
            } else {
                pins.unpin(PinReason.LONG_DATA, null);
            }
        }
        if (cursor != this.cursor) {
            this.cursor = cursor;
            if (cursor) {
                pins.pin(PinReason.CURSOR, null, "COM_STMT_EXECUTE with a cursor");
            } else {
                pins.unpin(PinReason.CURSOR, null);
            }
        }
    }

    /** COM_CHANGE_USER succeeded: a new session on the server, nothing of the old one left. */
    /** The pins holding the connection, or "not pinned" (for logs). */
    String describe() {
        return pins.describe();
    }

    void reset() {
        pins.clear();
        longData = false;
        cursor = false;
    }

    /** The session ended. */
    void close() {
        pins.close();
    }

    /** True when the connection may go back: no transaction open, nothing of the session left on it. */
    boolean mayRelease(SessionStatus status) {
        return !pins.isPinned() && !status.inTransaction();
    }

    private static StatementEffects classify(ByteBuf payload, boolean noBackslashEscapes) {
        return StatementEffects.ofQuery(payload, payload.readerIndex() + 1, payload.writerIndex(), noBackslashEscapes);
    }

    private static String text(ByteBuf payload) {
        int length = Math.min(payload.readableBytes() - 1, 100);
        return payload.toString(payload.readerIndex() + 1, Math.max(length, 0), StandardCharsets.UTF_8);
    }
}
