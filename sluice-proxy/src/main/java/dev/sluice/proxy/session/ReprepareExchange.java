package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.session.prepared.Reprepare;
import dev.sluice.proxy.session.prepared.Routing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A client's statement command on a connection that does not have the statement: Sluice prepares it there first
 * ({@link Reprepare}'s rounds; their answers are read here, never relayed, never seen by the session's state
 * tracker), then the answer to the client's command is relayed, or, when Sluice's prepare failed, that failure is the
 * client's answer (the answer MariaDB gives the command pipelined behind a failed prepare is read and dropped). When
 * Sluice's commands left the connection outside the session's database, a COM_INIT_DB takes it back (failing that,
 * the connection is discarded when the session gives it back).
 */
final class ReprepareExchange implements Exchange {
    private enum Phase {
        OWN,
        CLIENT,
        DROP,
        RESTORE,
        DONE
    }

    private final PreparedDispatch dispatch;
    private final ServerSide server;
    private final ClientOutput output;
    private final Routing.Prepare prepare;
    private final Reprepare reprepare;
    private final Command command;
    private final Supplier<ResponseRelay> relays;

    private Phase phase = Phase.OWN;
    private ByteBufAllocator alloc;
    private ResponseRelay relay;
    private ResponseDecoder decoder;
    private boolean failed;

    ReprepareExchange(
            PreparedDispatch dispatch,
            ServerSide server,
            ClientOutput output,
            Routing.Prepare prepare,
            Command command,
            Supplier<ResponseRelay> relays) {
        this.dispatch = dispatch;
        this.server = server;
        this.output = output;
        this.prepare = prepare;
        this.reprepare = prepare.reprepare();
        this.command = command;
        this.relays = relays;
    }

    void start(ByteBufAllocator alloc) {
        this.alloc = alloc;
        round();
    }

    /** Writes the next round: the connection's pending closes, Sluice's commands, and maybe the client's command. */
    private void round() {
        List<ByteBuf> own = reprepare.nextRound(alloc);
        if (own.isEmpty() && !reprepare.commandInRound()) {
            answerFailure(); // Sluice's prepare (or the switch to its database) failed: the command was not sent
            return;
        }
        List<ByteBuf> out = new ArrayList<>(own.size() + 2);
        server.statements().writePendingCloses(alloc, out::add);
        out.addAll(own);
        if (reprepare.commandInRound()) {
            out.add(reprepare.command());
        }
        // long data alone (a statement prepared by an earlier round) has no answer to wait for
        server.sendCommands(out, reprepare.awaitingOwn() || prepare.hasResponse());
        if (!reprepare.awaitingOwn()) {
            afterCommand(); // the command alone, its statement prepared by an earlier round
        }
    }

    @Override
    public void onServerPayload(ByteBuf payload) {
        switch (phase) {
            case OWN -> {
                Reprepare.Progress progress = reprepare.accept(payload);
                if (progress == Reprepare.Progress.MORE) {
                    return;
                }
                server.nextAnswer();
                if (progress == Reprepare.Progress.ROUND_DONE) {
                    if (reprepare.commandWritten()) {
                        afterCommand();
                    } else {
                        round();
                    }
                }
            }
            case CLIENT -> {
                relay.onServerPayload(payload);
                if (relay.isComplete()) {
                    failed = relay.failed();
                    ended();
                }
            }
            case DROP -> {
                decoder.next(payload);
                if (decoder.isComplete()) {
                    server.nextAnswer();
                    answerFailure();
                }
            }
            case RESTORE -> {
                if (decoder.next(payload) instanceof ResponseEvent.Err) {
                    server.distrust(); // not in the session's database: never reused
                }
                if (decoder.isComplete()) {
                    phase = Phase.DONE;
                }
            }
            case DONE -> throw new dev.sluice.protocol.ProtocolException("a packet after the answer was complete");
        }
    }

    /** The client's command was written; its answer (if any) comes next. */
    private void afterCommand() {
        if (!prepare.hasResponse()) {
            ended(); // long data: a failure waits for the statement's next execution
        } else if (reprepare.failure() != null) {
            phase = Phase.DROP;
            decoder = new ResponseDecoder(command, server.capabilities(), false);
        } else {
            phase = Phase.CLIENT;
            relay = relays.get();
        }
    }

    private void answerFailure() {
        ErrPacket err = reprepare.failure();
        if (prepare.hasResponse() && err != null) {
            output.write(err);
        }
        failed = true;
        ended();
    }

    private void ended() {
        String database = dispatch.sessionDatabase();
        if (!reprepare.leftElsewhere()) {
            phase = Phase.DONE;
        } else if (database == null) {
            server.distrust(); // no command leaves a database: the connection is not reused
            phase = Phase.DONE;
        } else {
            ByteBuf initDb = alloc.buffer();
            initDb.writeByte(Command.COM_INIT_DB.code());
            initDb.writeCharSequence(database, StandardCharsets.UTF_8);
            decoder = new ResponseDecoder(Command.COM_INIT_DB, server.capabilities(), false);
            phase = Phase.RESTORE;
            server.sendCommand(new Packet(0, initDb), true);
        }
    }

    @Override
    public void onClientData(Packet packet) {
        if (relay != null) {
            relay.onClientData(packet);
        } else {
            packet.release();
        }
    }

    @Override
    public boolean awaitingClientData() {
        return relay != null && relay.awaitingClientData();
    }

    @Override
    public boolean isComplete() {
        return phase == Phase.DONE;
    }

    @Override
    public boolean failed() {
        return failed;
    }

    @Override
    public long rows() {
        return relay != null ? relay.rows() : 0;
    }

    @Override
    public String commandName() {
        return phase == Phase.CLIENT || phase == Phase.DONE ? command.name() : "Sluice's prepare for " + command.name();
    }

    @Override
    public void abandon() {
        reprepare.abandon();
        if (relay != null) {
            relay.abandon();
        }
    }
}
