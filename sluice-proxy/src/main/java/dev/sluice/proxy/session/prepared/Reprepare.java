package dev.sluice.proxy.session.prepared;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Sluice's own prepare of a client statement on a connection that does not have it, in front of the client's command
 * (execute, bulk execute, long data). The session writes the rounds it is given, reads the answers to Sluice's own
 * commands into {@link #accept} (never relaying them), and then relays the answer to the client's command, unless
 * {@link #failure()} says otherwise.
 *
 * <p>Rounds, each one write:
 *
 * <ul>
 *   <li>MariaDB (stmt_id 0xFFFFFFFF accepted), same database: COM_STMT_PREPARE, then the client's command with stmt_id
 *       0xFFFFFFFF. If the prepare fails, MariaDB answers that command with ERR 1243 (unknown statement 4294967295)
 *       instead of running anything: the command never runs with a wrong id; Sluice drops that ERR and gives the
 *       client the prepare's ERR (what the execution would have met: the table is gone, ...).
 *   <li>No such id (MySQL): COM_STMT_PREPARE alone, then the client's command with the new id.
 *   <li>The statement's {@link StatementContext} is not the connection's (the session chose another database, or
 *       changed sql_mode or its character set, since it prepared): first COM_INIT_DB of the statement's database
 *       and/or the statement's settings (COM_QUERY), alone (were the prepare pipelined behind a switch that fails, it
 *       would read the text in the wrong context), then COM_STMT_PREPARE and the switches back, then (or with them,
 *       on MariaDB) the command. The server itself runs a prepared statement in the database it was prepared in, and
 *       the text was parsed under the settings of then: preparing it in another context could change what it does.
 * </ul>
 */
public final class Reprepare {
    /** What {@link #accept} made of a packet. */
    public enum Progress {
        /** The answer this packet belongs to goes on. */
        MORE,
        /**
         * That answer ended and the answer to Sluice's next own command of this round follows: its sequence ids start
         * again after its command's (one packet, id 0: the next answer starts at 1).
         */
        NEXT,
        /**
         * All of them were read. Next: when {@link #failure()} is null and {@link #commandWritten()}, the answer to
         * the client's command (relay it); when the failure is set and the command was written, that answer
         * (drop it, then answer the client with the failure); when the command was not written, the next round,
         * or, with a failure, nothing more: answer the client with it.
         */
        ROUND_DONE
    }

    /** Which of Sluice's own commands an answer belongs to. */
    private enum Kind {
        /** Into the statement's context (database, settings): a failure stops everything. */
        ENTER,
        PREPARE,
        /** Back to the connection's context: a failure leaves the connection elsewhere, nothing else. */
        LEAVE
    }

    private record Own(Command command, Kind kind) {}

    private final byte[] sql;
    private final StatementContext context;
    private final StatementContext connectionContext;
    private final boolean pipelined;
    private final long capabilities;
    private final LongFunction<ByteBuf> command;
    private final Consumer<Long> onPrepared;
    private final Consumer<ErrPacket> onFailed;
    private final Runnable discard;
    private boolean discarded;

    private int round;
    private final List<Own> pending = new ArrayList<>(3);
    private ResponseDecoder decoder;
    private boolean commandInRound;
    private boolean commandWritten;
    private long serverId = -1;
    private ErrPacket failure;
    private boolean entered;
    private boolean leftElsewhere;

    /**
     * @param connectionContext the context the connection is in (the session's, re-applied)
     * @param command builds the client's command for a server statement id (0xFFFFFFFF when pipelined)
     * @param onPrepared told the server id once the prepare succeeded
     * @param onFailed told the failure once a round that failed was read
     * @param discard releases the client's command when it will not be written
     */
    Reprepare(
            ServerStatements.Key statement,
            ServerStatements connection,
            StatementContext connectionContext,
            long capabilities,
            LongFunction<ByteBuf> command,
            Consumer<Long> onPrepared,
            Consumer<ErrPacket> onFailed,
            Runnable discard) {
        this.sql = statement.sql();
        this.context = statement.context() == null ? StatementContext.NONE : statement.context();
        this.connectionContext = connectionContext == null ? StatementContext.NONE : connectionContext;
        this.pipelined = connection.lastPreparedId();
        this.capabilities = capabilities;
        this.command = command;
        this.onPrepared = onPrepared;
        this.onFailed = onFailed;
        this.discard = discard;
    }

    /**
     * The statement was prepared with a database the connection is not in. (One prepared with none can only be
     * prepared in the connection's: there is no command to leave a database. Its unqualified names would have failed
     * to prepare, so only DATABASE() in its text can tell.)
     */
    private boolean switchesDatabase() {
        return context.database() != null && !context.database().equals(connectionContext.database());
    }

    private boolean switchesSettings() {
        return context.settings() != null && !context.settings().equals(connectionContext.settings());
    }

    /**
     * Sluice's commands of the next round, to be written in this order (each starting at sequence id 0), followed,
     * when {@link #commandInRound()}, by {@link #command()}, all in one flush; empty when nothing is left.
     */
    public List<ByteBuf> nextRound(ByteBufAllocator alloc) {
        List<ByteBuf> out = new ArrayList<>(3);
        pending.clear();
        commandInRound = false;
        if (failure != null || commandWritten) {
            return out;
        }
        int step = round++;
        if (step == 0 && (switchesDatabase() || switchesSettings())) {
            // alone: were the prepare pipelined behind a switch that fails, it would read the text elsewhere
            if (switchesDatabase()) {
                add(out, StatementPackets.initDb(alloc, context.database()), Command.COM_INIT_DB, Kind.ENTER);
            }
            if (switchesSettings()) {
                add(out, StatementPackets.query(alloc, context.settings()), Command.COM_QUERY, Kind.ENTER);
            }
        } else if (serverId < 0) {
            add(out, StatementPackets.prepare(alloc, sql), Command.COM_STMT_PREPARE, Kind.PREPARE);
            leave(out, alloc);
            commandInRound = pipelined;
        } else {
            commandInRound = true;
        }
        startDecoder();
        return out;
    }

    private void leave(List<ByteBuf> out, ByteBufAllocator alloc) {
        if (switchesDatabase()) {
            if (connectionContext.database() != null) {
                add(out, StatementPackets.initDb(alloc, connectionContext.database()), Command.COM_INIT_DB, Kind.LEAVE);
            } else {
                leftElsewhere = true; // no command leaves a database
            }
        }
        if (switchesSettings()) {
            if (connectionContext.settings() != null) {
                add(out, StatementPackets.query(alloc, connectionContext.settings()), Command.COM_QUERY, Kind.LEAVE);
            } else {
                leftElsewhere = true; // the connection's settings are not known to go back to
            }
        }
    }

    private void add(List<ByteBuf> out, ByteBuf payload, Command command, Kind kind) {
        out.add(payload);
        pending.add(new Own(command, kind));
    }

    /** The client's command goes in this round's write, after Sluice's commands. */
    public boolean commandInRound() {
        return commandInRound;
    }

    /** The client's command for this round (rewritten for the server); call once, when {@link #commandInRound()}. */
    public ByteBuf command() {
        if (!commandInRound || commandWritten) {
            throw new IllegalStateException("the client's command is not part of this round");
        }
        commandWritten = true;
        return command.apply(serverId >= 0 ? serverId : StatementPackets.LAST_PREPARED);
    }

    /** Whether the client's command was written (its answer comes after this round's own answers). */
    public boolean commandWritten() {
        return commandWritten;
    }

    /** True while answers to Sluice's own commands of this round are still to be read. */
    public boolean awaitingOwn() {
        return decoder != null;
    }

    /** One packet of the answer to one of Sluice's own commands (payload lent, not kept). */
    public Progress accept(ByteBuf payload) {
        if (decoder == null) {
            throw new IllegalStateException("no answer to Sluice's own commands is expected");
        }
        ResponseEvent event = decoder.next(payload);
        Own own = pending.get(0);
        if (event instanceof ResponseEvent.Err err) {
            if (own.kind() == Kind.LEAVE) {
                leftElsewhere = true; // the connection stays in the statement's context, not the session's
            } else if (failure == null) {
                failure = err.err();
                leftElsewhere |= own.kind() == Kind.ENTER && entered;
            }
        } else if (event instanceof ResponseEvent.PrepareOk ok) {
            serverId = ok.prepareOk().statementId();
            onPrepared.accept(serverId);
        }
        if (!decoder.isComplete()) {
            return Progress.MORE;
        }
        if (own.kind() == Kind.ENTER && !(event instanceof ResponseEvent.Err)) {
            entered = true;
        }
        pending.remove(0);
        startDecoder();
        if (decoder != null) {
            return Progress.NEXT;
        }
        if (failure != null) {
            onFailed.accept(failure);
            abandon();
        }
        return Progress.ROUND_DONE;
    }

    private void startDecoder() {
        decoder = pending.isEmpty() ? null : new ResponseDecoder(pending.get(0).command(), capabilities, false);
    }

    /**
     * Why the client's command cannot run here: the server's answer to Sluice's prepare (or to the switch to the
     * statement's database); null while all went well.
     */
    public ErrPacket failure() {
        return failure;
    }

    /**
     * The connection is not in the session's context any more (its database or settings): switching back failed or
     * was not possible, or a switch into the statement's context half succeeded. Re-apply the session's state before
     * its next command there, or discard the connection after this one.
     */
    public boolean leftElsewhere() {
        return leftElsewhere;
    }

    /**
     * The session gives up on this command (the connection failed, the session closes): the client's command is
     * released unless it was written already. Idempotent; also done by a round that failed.
     */
    public void abandon() {
        if (!commandWritten && !discarded) {
            discarded = true;
            discard.run();
        }
    }

    /** The server's id of the new statement, or -1 before (or without) a successful prepare. */
    public long serverId() {
        return serverId;
    }
}
