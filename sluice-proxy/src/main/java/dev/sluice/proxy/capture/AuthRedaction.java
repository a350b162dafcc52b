package dev.sluice.proxy.capture;

import io.netty.buffer.ByteBuf;

/**
 * Follows a client link's connection phase (and each COM_CHANGE_USER's) to say which bytes of a packet are secret:
 * the auth response of HandshakeResponse41 and of COM_CHANGE_USER, and every client packet of an authentication
 * exchange after them (AuthSwitchResponse, auth more data, a cleartext or RSA-encrypted password, a public-key
 * request). Learns on the way what a capture names: the connection id (from the greeting), the user (from the
 * handshake response). An SSLRequest is recognised so that it can be left out. Packets are only read, never changed.
 */
final class AuthRedaction {
    /** What to do with one packet: keep it, with bytes {@code [from, to)} zeroed (none when from == to). */
    record Verdict(boolean skip, int from, int to, boolean handshakeResponse) {
        static final Verdict KEEP = new Verdict(false, 0, 0, false);
        static final Verdict SKIP = new Verdict(true, 0, 0, false);

        static Verdict zero(int from, int to) {
            return new Verdict(false, from, to, false);
        }
    }

    private enum Phase {
        /** Before the client's first packet (SSLRequest or HandshakeResponse41). */
        LOGIN,
        /** After a login or change-user packet: every client packet is auth data until the server's OK or ERR. */
        AUTH,
        COMMANDS
    }

    static final int CLIENT_SSL = 0x800;
    static final int CLIENT_SECURE_CONNECTION = 0x8000;
    static final int CLIENT_PLUGIN_AUTH_LENENC = 0x200000;
    private static final int FIXED_LOGIN = 32;
    private static final int COM_CHANGE_USER = 0x11;

    private Phase phase = Phase.LOGIN;
    private int capabilities;
    private long connectionId = -1;
    private String user;

    /** A packet from the client. */
    Verdict read(ByteBuf p, int sequenceId) {
        switch (phase) {
            case LOGIN -> {
                int caps = p.readableBytes() >= 4 ? p.getIntLE(p.readerIndex()) : 0;
                if (p.readableBytes() == FIXED_LOGIN && (caps & CLIENT_SSL) != 0) {
                    return Verdict.SKIP;
                }
                capabilities = caps;
                phase = Phase.AUTH;
                int start = Math.min(FIXED_LOGIN, p.readableBytes());
                int userEnd = nul(p, start);
                if (userEnd < 0) {
                    return new Verdict(false, start, p.readableBytes(), true);
                }
                user = p.toString(p.readerIndex() + start, userEnd - start, java.nio.charset.StandardCharsets.UTF_8);
                int[] auth = authField(p, userEnd + 1, (caps & CLIENT_PLUGIN_AUTH_LENENC) != 0);
                return new Verdict(false, auth[0], auth[1], true);
            }
            case AUTH -> {
                return Verdict.zero(0, p.readableBytes());
            }
            default -> {
                if (sequenceId == 0 && p.isReadable() && p.getUnsignedByte(p.readerIndex()) == COM_CHANGE_USER) {
                    phase = Phase.AUTH;
                    int userEnd = nul(p, 1);
                    if (userEnd < 0) {
                        return Verdict.zero(1, p.readableBytes());
                    }
                    int[] auth = authField(p, userEnd + 1, false);
                    return Verdict.zero(auth[0], auth[1]);
                }
                return Verdict.KEEP;
            }
        }
    }

    /** A packet to the client: the greeting's connection id; an OK or ERR ends an authentication exchange. */
    void written(ByteBuf p) {
        if (!p.isReadable()) {
            return;
        }
        int first = p.getUnsignedByte(p.readerIndex());
        if (phase == Phase.LOGIN && first == 10 && connectionId < 0) {
            int versionEnd = nul(p, 1);
            if (versionEnd >= 0 && versionEnd + 5 <= p.readableBytes()) {
                connectionId = p.getUnsignedIntLE(p.readerIndex() + versionEnd + 1);
            }
        } else if (phase == Phase.AUTH && (first == 0x00 || first == 0xFF)) {
            phase = Phase.COMMANDS;
        }
    }

    /**
     * The auth response's bytes {@code [from, to)} starting at {@code at}: length-encoded, one length byte
     * (CLIENT_SECURE_CONNECTION), or up to a NUL; everything from {@code at} when it cannot be read.
     */
    private int[] authField(ByteBuf p, int at, boolean lengthEncoded) {
        int size = p.readableBytes();
        if (at >= size) {
            return new int[] {size, size};
        }
        int first = p.getUnsignedByte(p.readerIndex() + at);
        long length;
        int prefix;
        if (lengthEncoded) {
            if (first < 0xFB) {
                length = first;
                prefix = 1;
            } else if (first == 0xFC && at + 3 <= size) {
                length = p.getUnsignedShortLE(p.readerIndex() + at + 1);
                prefix = 3;
            } else if (first == 0xFD && at + 4 <= size) {
                length = p.getUnsignedMediumLE(p.readerIndex() + at + 1);
                prefix = 4;
            } else {
                return new int[] {at, size};
            }
        } else if ((capabilities & CLIENT_SECURE_CONNECTION) != 0) {
            length = first;
            prefix = 1;
        } else {
            int end = nul(p, at);
            return new int[] {at, end < 0 ? size : end};
        }
        long end = at + prefix + length;
        return end > size ? new int[] {at, size} : new int[] {at + prefix, (int) end};
    }

    /** The offset of the first NUL at or after {@code from}, or -1. */
    private static int nul(ByteBuf p, int from) {
        int size = p.readableBytes();
        if (from >= size) {
            return -1;
        }
        int i = p.indexOf(p.readerIndex() + from, p.readerIndex() + size, (byte) 0);
        return i < 0 ? -1 : i - p.readerIndex();
    }

    /** Sluice's id for the session, from its greeting; -1 before. */
    long connectionId() {
        return connectionId;
    }

    /** The user the client logged in as, from its handshake response; null before. */
    String user() {
        return user;
    }

    /** Whether the link is past its connection phase (commands flow). */
    boolean inCommands() {
        return phase == Phase.COMMANDS;
    }
}
