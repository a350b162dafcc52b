package dev.sluice.proxy.capture;

import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.proxy.config.CaptureConfig;
import dev.sluice.proxy.session.ProxyErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One client link's capture, as the tap on its codecs: every packet both ways, after TLS, is copied into the
 * session's {@link CaptureRing} (redacted by {@link AuthRedaction}); the connection phase is kept apart, whole, so
 * that a file always shows the greeting and the capabilities the dissector needs. Notices what triggers an
 * on-error capture (an ERR Sluice composes for a bad packet, an ERR in the middle of a response) and, for a session
 * matching the continuous filter, passes each packet on to its file. Never withholds a packet. Event loop only.
 */
final class SessionCapture implements FrameTap {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.sluice.capture");
    /** Packets of the connection phase kept apart at most (greeting, login, auth exchange, OK). */
    private static final int LOGIN_FRAMES = 16;

    private final Captures captures;
    private final Channel channel;
    private final CaptureRing ring;
    private final int frameCap;
    private final List<CapturedFrame> login = new ArrayList<>();
    private final AuthRedaction auth = new AuthRedaction();
    private boolean loginDone;
    /**
     * An SSLRequest was left out: the connection phase's later packets are numbered one lower, as they would be
     * without TLS (the dissector takes a login request by its sequence id).
     */
    private boolean sslLeftOut;

    private long clientBytes;
    private long serverBytes;
    private boolean registered;
    private boolean errorCaptured;
    private ContinuousCapture continuous;
    private boolean broken;

    /** A violation waiting for Sluice's answer before the capture is written ({@link #onViolation}); or null. */
    private String pendingError;

    SessionCapture(Captures captures, Channel channel, CaptureConfig config) {
        this.captures = captures;
        this.channel = channel;
        this.ring = new CaptureRing(config.ringFrames(), config.ringBytes(), config.frameBytes());
        this.frameCap = config.frameBytes();
    }

    @Override
    public boolean read(ByteBuf payload, int sequenceId) {
        if (broken) {
            return true;
        }
        try {
            boolean before = auth.inCommands();
            AuthRedaction.Verdict v = auth.read(payload, sequenceId);
            if (v.skip()) {
                sslLeftOut = true;
                return true;
            }
            keep(true, sequenceId, payload, v, before);
            if (continuous == null
                    && auth.user() != null
                    && !loginDone
                    && captures.continuousMatch(auth.user(), client())) {
                continuous = captures.startContinuous(this);
            }
        } catch (RuntimeException e) {
            stop(e);
        }
        return true;
    }

    @Override
    public boolean written(ByteBuf payload, int sequenceId) {
        if (broken) {
            return true;
        }
        try {
            boolean before = auth.inCommands();
            auth.written(payload);
            if (!registered && auth.connectionId() >= 0) {
                registered = true;
                captures.register(this);
            }
            keep(false, sequenceId, payload, AuthRedaction.Verdict.KEEP, before);
            if (payload.readableBytes() >= 3 && payload.getUnsignedByte(payload.readerIndex()) == 0xFF) {
                int code = payload.getUnsignedShortLE(payload.readerIndex() + 1);
                if (protocolError(code)) {
                    onError("Sluice answered a bad packet with ERR " + code);
                } else if (before && sequenceId > 1) {
                    onError("ERR " + code + " in the middle of a response");
                }
            }
            if (pendingError != null) {
                writePending();
            }
        } catch (RuntimeException e) {
            stop(e);
        }
        return true;
    }

    /** A capture never disturbs its session: a failure in it ends the capture, not the link. */
    private void stop(RuntimeException e) {
        broken = true;
        LOG.warn("session {}: its capture stops after an internal error", auth.connectionId(), e);
        ended();
    }

    /** Codes Sluice answers a packet it could not read with (docs/ERRORS.md). */
    private static boolean protocolError(int code) {
        return code == ProxyErrors.MALFORMED_PACKET
                || code == ProxyErrors.PACKET_TOO_LARGE
                || code == ProxyErrors.BAD_HANDSHAKE
                || code == ProxyErrors.UNKNOWN_COMMAND;
    }

    private void keep(boolean fromClient, int sequence, ByteBuf payload, AuthRedaction.Verdict v, boolean commands) {
        int sequenceId = sslLeftOut && !loginDone && !commands ? (sequence - 1) & 0xFF : sequence;
        long at = captures.micros();
        long own = fromClient ? clientBytes : serverBytes;
        long peer = fromClient ? serverBytes : clientBytes;
        boolean phaseOfLogin = !loginDone && !commands;
        if (phaseOfLogin && login.size() < LOGIN_FRAMES) {
            login.add(copy(fromClient, sequenceId, payload, v, at, own, peer));
        } else {
            ring.add(fromClient, sequenceId, payload, v.from(), v.to(), v.handshakeResponse(), at, own, peer);
        }
        if (continuous != null) {
            continuous.append(copy(fromClient, sequenceId, payload, v, at, own, peer));
        }
        if (auth.inCommands()) {
            loginDone = true;
        }
        long wire = CapturedFrame.wireLength(payload.readableBytes());
        if (fromClient) {
            clientBytes += wire;
        } else {
            serverBytes += wire;
        }
    }

    private CapturedFrame copy(
            boolean fromClient,
            int sequenceId,
            ByteBuf payload,
            AuthRedaction.Verdict v,
            long at,
            long own,
            long peer) {
        byte[] head = new byte[Math.min(payload.readableBytes(), frameCap)];
        payload.getBytes(payload.readerIndex(), head);
        for (int i = Math.max(0, v.from()); i < Math.min(head.length, v.to()); i++) {
            head[i] = 0;
        }
        return new CapturedFrame(
                fromClient, sequenceId, payload.readableBytes(), head, at, own, peer, v.handshakeResponse());
    }

    /** The first on-error trigger of the session writes its capture now; later ones add nothing. */
    /**
     * A violation the validator reported: written once Sluice has answered it (the next packet to the client, often
     * the ERR naming it) or when the session ends, whichever comes first, so the file shows what followed.
     */
    void onViolation(String why) {
        if (!errorCaptured && captures.onError()) {
            pendingError = why;
            if (!channel.isOpen()) { // the session already ended: nothing more will come
                writePending();
            }
        }
    }

    private void writePending() {
        String why = pendingError;
        pendingError = null;
        onError(why);
    }

    void onError(String why) {
        pendingError = null;
        if (errorCaptured || !captures.onError()) {
            return;
        }
        errorCaptured = true;
        captures.write(this, snapshot(), "on-error", "on-error: " + why, null);
    }

    /** The connection phase, then the ring: copies, oldest first. */
    List<CapturedFrame> snapshot() {
        List<CapturedFrame> frames = new ArrayList<>(login.size() + ring.frames());
        frames.addAll(login);
        frames.addAll(ring.snapshot());
        return frames;
    }

    /** The session ended: its continuous capture, if any, is closed. */
    void ended() {
        if (pendingError != null) {
            writePending();
        }
        if (continuous != null) {
            continuous.close();
            continuous = null;
        }
    }

    long id() {
        return auth.connectionId();
    }

    String user() {
        return auth.user();
    }

    Channel channel() {
        return channel;
    }

    InetSocketAddress client() {
        return inet(channel.remoteAddress());
    }

    InetSocketAddress server() {
        return inet(channel.localAddress());
    }

    /** A TCP channel's address; 0.0.0.0:0 for another kind (an in-memory channel in tests). */
    private static InetSocketAddress inet(java.net.SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i : new InetSocketAddress("0.0.0.0", 0);
    }

    CaptureRing ring() {
        return ring;
    }
}
