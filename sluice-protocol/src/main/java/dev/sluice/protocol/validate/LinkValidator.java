package dev.sluice.protocol.validate;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The strict validator of one client link (docs/VALIDATION.md): fed every logical packet in both directions as a
 * {@link FrameTap}, it follows the connection phase (greeting, login, authentication) and then each command and its
 * response, with what the greeting and the HandshakeResponse41 negotiated, and checks every packet against the
 * protocol: sequence ids, length-encoded integers, exact lengths, status flags, the order of the response
 * ({@link dev.sluice.protocol.result.ResponseDecoder}), the commands legal in the link's state.
 *
 * <p>The first breach is reported once to the listener, as a {@link Violation}; the validator checks nothing after
 * it. When enforcing, that packet and every later one are withheld (the tap returns false) except the one its owner
 * lets out with {@link #releaseOne()} (the ERR that ends the session). A fault of the validator itself never
 * reaches the link: it stops checking. Called on the link's event loop only.
 */
public final class LinkValidator implements FrameTap {
    /** Commands read and not yet answered beyond which the validator stops tracking (it never grows unbounded). */
    static final int MAX_PENDING = 4096;

    /** The most a payload may be in either direction: max_allowed_packet's own ceiling. */
    public static final int PROTOCOL_MAX_PACKET = 1 << 30;

    private enum Phase {
        GREETING,
        LOGIN,
        AUTH,
        COMMAND,
        /** A replication stream, or a fault of the validator: nothing more is checked. */
        STOPPED
    }

    private final String peer;
    private final int maxClientPacket;
    private final boolean enforce;
    private final Consumer<Violation> listener;
    private final Consumer<RuntimeException> onFault;
    private final Fields fields = new Fields();
    private final ResponseChecks responses;
    private final ArrayDeque<PendingCommand> pending = new ArrayDeque<>();
    private final PreparedStatements statements = new PreparedStatements();

    private Phase phase = Phase.GREETING;
    private long sessionId;
    private long serverCaps;
    private long caps;
    /** Connection phase: the id the next packet carries, either direction. */
    private int seq;
    /** Connection phase: packets so far. */
    private long handshakePackets;
    /** What ended the last response, for a report of a packet after it. */
    /** The response that ended last, for a report of a packet after it (named only then); null: none yet. */
    private PendingCommand lastEnded;
    /** The first byte of that response's last packet. */
    private int lastEndFirst;

    private Violation violation;
    private RuntimeException fault;
    private boolean passOne;
    /** The packet being checked: its command and index in the exchange. */
    private String atCommand = "handshake";

    private long atPacket;

    /**
     * @param peer the client's address, for reports
     * @param maxClientPacket the largest payload the client may send (Sluice's max packet size)
     * @param enforce withhold the offending packet and all after it
     * @param listener hears the violation, once; on the event loop, inside the tap call
     */
    public LinkValidator(String peer, int maxClientPacket, boolean enforce, Consumer<Violation> listener) {
        this(peer, maxClientPacket, enforce, listener, e -> {});
    }

    /** @param onFault hears the validator's own fault (a bug of the validator), once, when it stops checking */
    public LinkValidator(
            String peer,
            int maxClientPacket,
            boolean enforce,
            Consumer<Violation> listener,
            Consumer<RuntimeException> onFault) {
        this.onFault = onFault;
        this.peer = peer;
        this.maxClientPacket = maxClientPacket;
        this.enforce = enforce;
        this.listener = listener;
        this.responses = new ResponseChecks(fields, statements);
    }

    @Override
    public boolean read(ByteBuf payload, int sequenceId) {
        if (violation != null) {
            return !enforce;
        }
        if (phase == Phase.STOPPED) {
            return true;
        }
        try {
            onRead(payload, sequenceId);
            return true;
        } catch (Breach b) {
            return report(Direction.FROM_CLIENT, b, payload);
        } catch (RuntimeException e) {
            return faulted(e);
        }
    }

    @Override
    public boolean written(ByteBuf payload, int sequenceId) {
        if (violation != null) {
            if (passOne) {
                passOne = false;
                return true;
            }
            return !enforce;
        }
        if (phase == Phase.STOPPED) {
            return true;
        }
        try {
            onWritten(payload, sequenceId);
            return true;
        } catch (Breach b) {
            return report(Direction.TO_CLIENT, b, payload);
        } catch (RuntimeException e) {
            return faulted(e);
        }
    }

    /** The validator's own fault: it stops checking, the link goes on as if it were off. */
    private boolean faulted(RuntimeException e) {
        fault = e;
        phase = Phase.STOPPED;
        try {
            onFault.accept(e);
        } catch (RuntimeException ignored) {
            // the listener's fault is its own
        }
        return true;
    }

    /** The fault of the validator itself that stopped it (a bug to fix, never the peer's doing), or null. */
    public RuntimeException fault() {
        return fault;
    }

    /** The violation reported, or null. */
    public Violation violation() {
        return violation;
    }

    public boolean enforcing() {
        return enforce;
    }

    /** Lets the next written packet out after a violation (the ERR that tells the client). */
    public void releaseOne() {
        passOne = true;
    }

    /** The session's id when the greeting did not carry it (e.g. a different id space). */
    public void sessionId(long id) {
        sessionId = id;
    }

    /** The capabilities negotiated between the client and Sluice (0 before the login). */
    public long capabilities() {
        return caps;
    }

    /**
     * A breach seen on the server's side of the session (a framing error, a packet with no command outstanding, a
     * response that stalled): reported like the link's own, once per session, in the exchange of the command
     * outstanding. Returns the violation, or null when one was reported before (or the link is not yet logged in).
     *
     * @param packet the offending packet's index in the exchange; -1: the one after the last relayed
     * @param payload the offending payload when there is one (for the excerpt), else null
     */
    public Violation serverViolation(
            Rule rule, long packet, int offset, String expected, String found, ByteBuf payload) {
        if (violation != null) {
            return null;
        }
        PendingCommand head = pending.peekFirst();
        String command = head != null ? head.command.name() : phase == Phase.COMMAND ? "none" : "handshake";
        long index = packet >= 0 ? packet : head != null ? head.packets + 1 : 0;
        String what = found;
        if (rule == Rule.UNSOLICITED) {
            what = found + ", after " + lastEnd();
        }
        emit(new Violation(
                sessionId,
                peer,
                Direction.FROM_SERVER,
                rule,
                command,
                index,
                offset,
                expected,
                what,
                Violation.excerptStart(payload, offset),
                Violation.excerpt(payload, Violation.excerptStart(payload, offset))));
        return violation;
    }

    /**
     * A breach of the client's framing its decoder refused before the tap saw the packet (a sequence gap, a packet
     * over the maximum): reported once, like the link's own. Returns the violation, or null when one was before.
     */
    public Violation clientViolation(Rule rule, String expected, String found) {
        if (violation != null) {
            return null;
        }
        PendingCommand last = pending.peekLast();
        String command =
                phase != Phase.COMMAND ? "handshake" : last != null && last.clientData ? last.command.name() : "none";
        emit(new Violation(sessionId, peer, Direction.FROM_CLIENT, rule, command, 0, -1, expected, found, 0, ""));
        return violation;
    }

    /** The command outstanding and how far its response got, e.g. "COM_QUERY, 1204 packets relayed"; or null. */
    /** Whether the server has begun to answer the oldest outstanding command (a stall before that is a slow query). */
    public boolean responseStarted() {
        PendingCommand head = pending.peekFirst();
        return head != null && head.packets > 0;
    }

    public String outstanding() {
        PendingCommand head = pending.peekFirst();
        return head == null ? null : head.command.name() + ", response packet " + head.packets + " relayed last";
    }

    // ---- client → Sluice ---------------------------------------------------------------------------

    private void onRead(ByteBuf p, int id) {
        int length = p.readableBytes();
        at(phase == Phase.COMMAND ? commandName(p) : "handshake", phase == Phase.COMMAND ? 0 : handshakePackets);
        if (length > maxClientPacket) {
            throw new Breach(
                    Rule.MAX_PACKET, -1, "a payload of at most " + maxClientPacket + " bytes", length + " bytes");
        }
        switch (phase) {
            case GREETING ->
                throw new Breach(Rule.STRUCTURE, -1, "nothing from the client before the greeting", length + " bytes");
            case LOGIN -> login(p, id);
            case AUTH -> handshakeSeq(id, length);
            case COMMAND -> commandRead(p, id, length);
            default -> {}
        }
    }

    private void login(ByteBuf p, int id) {
        handshakeSeq(id, p.readableBytes());
        Fields f = fields.on(p);
        long clientCaps = f.int4("HandshakeResponse41 client_flag");
        if (p.readableBytes() == 32 && Capability.has(clientCaps, Capability.CLIENT_SSL)) {
            return; // SSLRequest: the response itself follows inside TLS
        }
        f.skip(24, "HandshakeResponse41 max_packet_size, character_set and filler");
        long extended = f.int4("HandshakeResponse41 mariadb_extended_capabilities");
        if (!Capability.has(clientCaps, Capability.CLIENT_MYSQL)) {
            clientCaps |= extended << 32;
        }
        caps = clientCaps & serverCaps;
        phase = Phase.AUTH;
    }

    private void commandRead(ByteBuf p, int id, int length) {
        PendingCommand head = pending.peekFirst();
        if (head != null && (head.clientData || (head.decoder == null && head.packets > 0))) {
            // LOCAL INFILE data, or an authentication answer after COM_CHANGE_USER: the exchange continues
            head.packets++;
            at(head.command.name(), head.packets);
            expectSeq(head, id, length);
            if (head.clientData && length == 0) {
                head.clientData = false;
            }
            return;
        }
        at(commandName(p), 0);
        if (id != 0) {
            throw new Breach(Rule.SEQUENCE, -1, "sequence id 0 (a new command)", "sequence id " + id);
        }
        if (length == 0) {
            throw new Breach(Rule.LENGTH, 0, "a command byte", "an empty packet");
        }
        int code = p.getUnsignedByte(p.readerIndex());
        Command command = Command.of(code);
        if (command == null) {
            throw new Breach(Rule.COMMAND_STATE, 0, "a command", String.format("0x%02x, no command", code));
        }
        if (pending.size() >= MAX_PENDING) {
            phase = Phase.STOPPED; // a client far ahead of its answers: stop rather than grow
            return;
        }
        PendingCommand started = Commands.start(command, p, caps, statements);
        if (started == Commands.STOP) {
            phase = Phase.STOPPED;
        } else if (started != null) {
            pending.addLast(started);
        }
    }

    // ---- Sluice → client ---------------------------------------------------------------------------

    private void onWritten(ByteBuf p, int id) {
        int length = p.readableBytes();
        PendingCommand next = pending.peekFirst();
        at(
                phase != Phase.COMMAND ? "handshake" : next == null ? "none" : next.command.name(),
                phase != Phase.COMMAND ? handshakePackets : next == null ? 0 : next.packets + 1);
        if (length > PROTOCOL_MAX_PACKET) {
            throw new Breach(
                    Rule.MAX_PACKET, -1, "a payload of at most " + PROTOCOL_MAX_PACKET + " bytes", length + " bytes");
        }
        int first = length > 0 ? p.getUnsignedByte(p.readerIndex()) : -1;
        switch (phase) {
            case GREETING -> greeting(p, id, first);
            case LOGIN, AUTH -> {
                handshakeSeq(id, length);
                if (first == 0xFF) {
                    phase = Phase.STOPPED; // refused: the connection closes
                } else if (phase == Phase.AUTH && first == 0x00) {
                    phase = Phase.COMMAND;
                }
            }
            case COMMAND -> response(p, id, first, length);
            default -> {}
        }
    }

    private void greeting(ByteBuf p, int id, int first) {
        handshakeSeq(id, p.readableBytes());
        if (first == 0xFF) {
            phase = Phase.STOPPED; // refused before the greeting (too many connections)
            return;
        }
        HandshakeV10 greeting;
        try {
            greeting = HandshakeV10.decode(p.duplicate());
        } catch (ProtocolException e) {
            throw new Breach(Rule.STRUCTURE, 0, "a HandshakeV10 greeting", e.getMessage());
        }
        serverCaps = greeting.capabilities();
        if (sessionId == 0) {
            sessionId = greeting.connectionId();
        }
        phase = Phase.LOGIN;
    }

    private void response(ByteBuf p, int id, int first, int length) {
        PendingCommand head = pending.peekFirst();
        at(head == null ? "none" : head.command.name(), head == null ? 0 : head.packets + 1);
        if (head == null) {
            if (first == 0xFF) {
                return; // Sluice's ERR ending an idle session (shutdown, kill, a refused packet), as servers do
            }
            throw new Breach(
                    Rule.UNSOLICITED,
                    -1,
                    "no packet (no command is outstanding)",
                    length + " bytes starting 0x" + Integer.toHexString(first) + ", after " + lastEnd());
        }
        head.packets++;
        expectSeq(head, id, length);
        if (head.decoder == null) { // COM_CHANGE_USER: authentication until OK or ERR
            if (first == 0x00 || first == 0xFF) {
                pending.pollFirst();
                lastEnded = head;
                lastEndFirst = first;
                responses.forgetModes();
            }
            return;
        }
        ResponseEvent event = responses.check(head, p, caps);
        if (event instanceof ResponseEvent.LocalInfile) {
            head.clientData = true;
        }
        if (head.decoder.isComplete()) {
            pending.pollFirst();
            responses.completed(head);
            lastEnded = head;
            lastEndFirst = first;
        }
    }

    // ---- sequence ids and reports ------------------------------------------------------------------

    private void handshakeSeq(int id, int length) {
        at("handshake", handshakePackets);
        handshakePackets++;
        if (id != seq) {
            throw new Breach(Rule.SEQUENCE, -1, "sequence id " + seq, "sequence id " + id);
        }
        seq = (seq + Framing.physicalPackets(length, Framing.MAX_CHUNK)) & 0xFF;
    }

    private static void expectSeq(PendingCommand head, int id, int length) {
        if (id != head.nextSeq) {
            throw new Breach(Rule.SEQUENCE, -1, "sequence id " + head.nextSeq, "sequence id " + id);
        }
        head.nextSeq = (head.nextSeq + Framing.physicalPackets(length, Framing.MAX_CHUNK)) & 0xFF;
    }

    private boolean report(Direction direction, Breach b, ByteBuf payload) {
        int from = Violation.excerptStart(payload, b.offset);
        emit(new Violation(
                sessionId,
                peer,
                direction,
                b.rule,
                atCommand,
                atPacket,
                b.offset,
                b.expected,
                b.found,
                from,
                Violation.excerpt(payload, from)));
        return !enforce;
    }

    /** Where the packet being checked is, for its report. */
    private void at(String command, long packet) {
        atCommand = command;
        atPacket = packet;
    }

    private static String commandName(ByteBuf payload) {
        Command c = payload.isReadable() ? Command.of(payload.getUnsignedByte(payload.readerIndex())) : null;
        return c == null ? "none" : c.name();
    }

    private void emit(Violation v) {
        violation = v;
        try {
            listener.accept(v);
        } catch (RuntimeException e) {
            // the listener's fault is its own; the violation stands
        }
    }

    /** What ended the last response, in words (a report of a packet after it). */
    private String lastEnd() {
        PendingCommand head = lastEnded;
        if (head == null) {
            return "no response yet";
        }
        if (head.decoder == null) {
            return "the " + (lastEndFirst == 0 ? "OK" : "ERR") + " ending COM_CHANGE_USER";
        }
        String kind = lastEndFirst == 0xFF ? "ERR" : lastEndFirst == 0xFE ? "EOF/OK" : "last packet";
        return "the " + kind + " ending " + head.command + " (packet " + head.packets + ")";
    }
}
