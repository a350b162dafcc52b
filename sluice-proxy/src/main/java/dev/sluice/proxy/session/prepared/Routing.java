package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.message.server.ErrPacket;
import io.netty.buffer.ByteBuf;

/**
 * What the session does with a client's statement command ({@link PreparedStatements#route}). The command's payload
 * belongs to the routing from then on: written as {@link Forward#payload()} or {@link Reprepare#command()}, or
 * already released (answers, drops).
 */
public sealed interface Routing {
    /**
     * Write {@code payload} (the client's command, its statement id now the server's) to the leased connection,
     * after the connection's pending closes; it has an answer to relay when {@code hasResponse}.
     *
     * @param clientId the client statement it acts on (0xFFFFFFFF resolved), for {@link
     *     PreparedStatements#executeEnded} and {@link PreparedStatements#fetchEnded}
     */
    record Forward(long clientId, ByteBuf payload, boolean hasResponse) implements Routing {}

    /**
     * The connection does not have the statement: Sluice prepares it first; drive {@code reprepare} (its rounds, its
     * answers), then relay the answer to the client's command as for {@link Forward}.
     */
    record Prepare(long clientId, Reprepare reprepare, boolean hasResponse) implements Routing {}

    /** Answer the client with {@code err}, as the server would have; nothing goes to the server. */
    record Answer(ErrPacket err) implements Routing {}

    /**
     * Answer the client with an OK (its status flags the session's, 0 affected rows, 0 warnings): a COM_STMT_RESET of
     * a statement with no long data and no cursor, which the server would answer with OK and nothing else.
     */
    record AnswerOk() implements Routing {}

    /** Nothing to send, nothing to answer: a command without an answer that has nothing to do on the server. */
    record Drop() implements Routing {}
}
