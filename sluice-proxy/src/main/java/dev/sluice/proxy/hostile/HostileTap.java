package dev.sluice.proxy.hostile;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The packet-level faults of one hostile connection, on the client link's {@link FrameTap}: it follows the
 * protocol's state (greeting, login, each command and its response, classified by {@link ResponseDecoder} as the
 * client negotiated it) and at the configured point injects an ERR in place of a row, resets the connection (through
 * the {@link HostileWriter}, after what was written before), or marks a packet for a wrong sequence id. Packets after
 * an injected ERR, up to the end of that response, and every packet after a reset is decided, are withheld. What it
 * cannot follow (a response that does not parse, COM_CHANGE_USER) ends the packet-level faults for the connection,
 * never the session.
 */
final class HostileTap implements FrameTap {
    private static final String INTERRUPTED_STATE = "70100";

    private final Channel channel;
    private final HostileWriter writer;
    private final Consumer<List<Fault>> chosen;
    private Fault errAfterRows;
    private Fault resetFault;
    private Fault seqId;

    private long passed;
    private boolean greeted;
    private boolean loginRead;
    private boolean loggedIn;
    private long greetingCapabilities;
    private long capabilities;
    private long commands;
    private long responsesDone;
    private boolean following = true;
    private final ArrayDeque<ResponseDecoder> responses = new ArrayDeque<>();
    private long rowsInResult;
    private long packetsInResponse;
    private boolean suppressing;
    private boolean injecting;
    private boolean dead;
    private boolean seqIdDone;
    private boolean rowsResetDone;

    /** @param chosen told the faults a client chose at login (its cuts and delays are the caller's to apply) */
    HostileTap(Channel channel, HostileWriter writer, List<Fault> faults, Consumer<List<Fault>> chosen) {
        this.channel = channel;
        this.writer = writer;
        this.chosen = chosen;
        use(faults);
    }

    private void use(List<Fault> faults) {
        this.errAfterRows = find(faults, Fault.Kind.ERR_AFTER_ROWS);
        this.seqId = find(faults, Fault.Kind.SEQ_ID);
        this.resetFault = faults.stream()
                .filter(f -> f.kind().written().startsWith("reset:"))
                .findFirst()
                .orElse(null);
    }

    private static Fault find(List<Fault> faults, Fault.Kind kind) {
        return faults.stream().filter(f -> f.kind() == kind).findFirst().orElse(null);
    }

    private boolean reset(Fault.Kind kind) {
        return resetFault != null && resetFault.kind() == kind;
    }

    @Override
    public boolean read(ByteBuf payload, int sequenceId) {
        if (dead) {
            return false;
        }
        if (!loggedIn) {
            if (!loginRead) {
                loginRead = true;
                capabilities = clientCapabilities(payload) & greetingCapabilities;
                ClientChoice choice = ClientChoice.of(payload, channel.remoteAddress());
                if (choice != null) {
                    use(choice.faults());
                    chosen.accept(choice.faults());
                    if (choice.login() != null) {
                        // the login without the faults in its user name, in the original's place
                        channel.pipeline()
                                .context(PacketDecoder.class)
                                .fireChannelRead(new Packet(sequenceId, sequenceId, choice.login()));
                        return false;
                    }
                }
                if (reset(Fault.Kind.RESET_AUTH)) {
                    die();
                    return false;
                }
            }
            return true;
        }
        ResponseDecoder head = responses.peek();
        if (head != null && head.phase() == ResponseDecoder.Phase.LOCAL_INFILE_RESULT) {
            return true; // the client's file, not a command
        }
        commands++;
        if (reset(Fault.Kind.RESET_COMMAND) && commands == resetFault.n()) {
            die();
            return false;
        }
        follow(payload);
        return true;
    }

    /** The login packet's capabilities, MariaDB's extended ones (bytes 28..31, without CLIENT_MYSQL) included. */
    private static long clientCapabilities(ByteBuf login) {
        int at = login.readerIndex();
        if (login.readableBytes() < 4) {
            return 0;
        }
        long caps = login.getUnsignedIntLE(at);
        if (!Capability.has(caps, Capability.CLIENT_MYSQL) && login.readableBytes() >= 32) {
            caps |= login.getUnsignedIntLE(at + 28) << 32;
        }
        return caps;
    }

    private void follow(ByteBuf payload) {
        if (!following || !payload.isReadable()) {
            return;
        }
        Command command = Command.of(payload.getUnsignedByte(payload.readerIndex()));
        if (command == Command.COM_CHANGE_USER) {
            following = false;
            responses.clear();
            return;
        }
        if (command == null || !command.hasResponse()) {
            return;
        }
        boolean cursor = command == Command.COM_STMT_EXECUTE
                && payload.readableBytes() > 5
                && payload.getByte(payload.readerIndex() + 5) != 0;
        try {
            responses.add(ResponseDecoder.forRelay(command, capabilities, cursor));
        } catch (IllegalArgumentException e) {
            following = false; // a replication stream, not a command response
            responses.clear();
        }
    }

    @Override
    public boolean written(ByteBuf payload, int sequenceId) {
        if (injecting) {
            passed++;
            return true;
        }
        if (dead) {
            return false;
        }
        if (!greeted) {
            greeted = true;
            greetingCapabilities = HandshakeV10.decode(payload.duplicate()).capabilities();
            if (reset(Fault.Kind.RESET_GREETING)) {
                dieAfterThis();
            }
            passed++;
            return true;
        }
        if (!loggedIn) {
            loggedIn = loginRead && payload.isReadable() && payload.getByte(payload.readerIndex()) == 0;
            passed++;
            return true;
        }
        ResponseDecoder response = responses.peek();
        if (response == null || !following) {
            passed++;
            return true;
        }
        ResponseEvent event;
        try {
            event = response.next(payload);
        } catch (ProtocolException e) {
            following = false;
            responses.clear();
            passed++;
            return true;
        }
        if (suppressing) {
            ended(response, false);
            return false;
        }
        packetsInResponse++;
        if (event instanceof ResponseEvent.ColumnCountEvent) {
            rowsInResult = 0;
        } else if (event instanceof ResponseEvent.Row) {
            rowsInResult++;
            if (errAfterRows != null && rowsInResult == errAfterRows.n() + 1) {
                injectErr(sequenceId);
                suppressing = true;
                ended(response, false);
                return false;
            }
            if (reset(Fault.Kind.RESET_ROWS) && !rowsResetDone && rowsInResult == resetFault.n() + 1) {
                rowsResetDone = true;
                die();
                return false;
            }
        }
        if (seqId != null && !seqIdDone && packetsInResponse == seqId.n()) {
            seqIdDone = true;
            writer.frames().corrupt(passed + 1);
        }
        passed++;
        ended(response, true);
        return true;
    }

    /** After a packet of {@code response}: at its end, the next response is followed; a reset between may come. */
    private void ended(ResponseDecoder response, boolean written) {
        if (!response.isComplete()) {
            return;
        }
        responses.poll();
        suppressing = false;
        packetsInResponse = 0;
        responsesDone++; // rows go on counting: a cursor's COM_STMT_FETCH answers continue its result
        if (reset(Fault.Kind.RESET_BETWEEN) && responsesDone == resetFault.n()) {
            if (written) {
                dieAfterThis();
            } else {
                die();
            }
        }
    }

    /** An ERR as a server sends one in place of a row: the code configured, the sequence id the row would have had. */
    private void injectErr(int sequenceId) {
        int code = (int) errAfterRows.m();
        ErrPacket err = code == 1317
                ? new ErrPacket(1317, INTERRUPTED_STATE, "Query execution was interrupted")
                : new ErrPacket(
                        code,
                        ErrPacket.GENERAL_SQLSTATE,
                        "Sluice hostile mode: ERR " + code + " after " + errAfterRows.n() + " rows");
        ByteBuf buf = channel.alloc().buffer();
        err.encode(buf, capabilities);
        injecting = true;
        try {
            channel.write(buf, channel.voidPromise()); // through the encoder: stamped with the row's sequence id
        } finally {
            injecting = false;
        }
    }

    /** A reset now: what was written before goes out first, nothing after. */
    private void die() {
        dead = true;
        channel.flush();
        writer.resetWhenDrained();
    }

    /** A reset once the packet being written now has gone out. */
    private void dieAfterThis() {
        dead = true;
        channel.eventLoop().execute(() -> {
            channel.flush();
            writer.resetWhenDrained();
        });
    }
}
