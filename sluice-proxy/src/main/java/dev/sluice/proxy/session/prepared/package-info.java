/**
 * Prepared statements that work on whichever server connection serves a session (transaction-level multiplexing):
 * the client sees Sluice's statement ids; each server connection keeps its own statements, shared by the sessions that
 * lease it and bounded; a statement a connection lacks is prepared there by Sluice first.
 *
 * <p>How a session uses it (all on its event loop):
 *
 * <ul>
 *   <li>One {@link dev.sluice.proxy.session.prepared.PreparedStatements} per session. One {@link
 *       dev.sluice.proxy.session.prepared.ServerStatements} per server connection, kept as the {@code
 *       PooledConnection} attachment: at each lease, {@code ServerStatements.of(pooled, limit,
 *       acceptsLastPreparedId(greeting.serverVersion()))} (made on the first lease that finds none: the pool drops it
 *       when it resets the connection, since COM_RESET_CONNECTION closes every statement on the server).
 *   <li>Client COM_STMT_PREPARE: {@code refusePrepare()} (answer its ERR instead, if any), then {@code
 *       prepareSent(payload as sent, context)}; on the first packet of the answer, {@code prepareOk(packet,
 *       connection's statements)} when it is a PREPARE_OK (its id becomes the client's, in place; relay the answer
 *       unchanged otherwise), {@code prepareFailed()} on an ERR or when Sluice refused the prepare itself.
 *   <li>Client COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE, COM_STMT_SEND_LONG_DATA, COM_STMT_FETCH, COM_STMT_RESET,
 *       COM_STMT_CLOSE: {@code needsConnection(payload)}: if false, {@code route(payload, null, ...)} answers or drops
 *       it without a lease; else lease, then {@code route(payload, statements, context, capabilities, alloc)}:
 *       <ul>
 *         <li>{@code Answer}/{@code AnswerOk}: write that to the client (OK with the session's status flags);
 *             {@code Drop}: nothing.
 *         <li>{@code Forward}: write the connection's pending closes ({@code writePendingCloses}), then the payload,
 *             one flush; relay its answer if {@code hasResponse}.
 *         <li>{@code Prepare}: for each round, {@code nextRound(alloc)}: write the pending closes, those commands
 *             and, when {@code commandInRound()}, {@code command()}, one flush, each command from sequence id 0. While
 *             {@code awaitingOwn()}, give every server packet to {@code accept(payload)}, never to the client; after
 *             {@code NEXT} and {@code ROUND_DONE} the next answer's sequence ids start again. At {@code ROUND_DONE}:
 *             command not written yet: next round (or, when {@code failure()} is set, answer the client with it);
 *             command written: its answer follows: relay it, or, when {@code failure()} is set, read it to its end
 *             and drop it (MariaDB's ERR 1243 for the last-prepared id) and answer the client with the failure.
 *             {@code leftElsewhere()}: the connection is not in the session's database/settings any more: re-apply
 *             them, or discard it. {@code abandon()} if the session gives up midway.
 *       </ul>
 *   <li>After the answer to an execution: {@code executeEnded(clientId, decoder.cursorOpen())}; after a fetch's:
 *       {@code fetchEnded(clientId, statusFlags of its terminal packet)}.
 *   <li>Pins: {@code pinnedByLongData()} (reason {@code long-data}) and {@code pinnedByCursor()} (reason {@code
 *       cursor}): do not release the connection while either is true.
 *   <li>Release: {@code statements.released()} and {@code session.leaseEnded()}; discard or loss: {@code
 *       leaseEnded()}. A client COM_RESET_CONNECTION or COM_CHANGE_USER: {@code session.clear()} and the
 *       connection's {@code forgetAll()}.
 * </ul>
 */
package dev.sluice.proxy.session.prepared;
