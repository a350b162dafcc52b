package dev.sluice.backend.fake;

import java.util.HexFormat;

/**
 * One packet the {@link FakeMysqlServer} received, as the client sent it (payload bytes after framing and,
 * under TLS, after decryption), with what the fake knew when it arrived.
 *
 * @param connection 0 for the first connection the fake accepted, 1 for the next, ...
 * @param kind what the fake took the packet to be, given its state
 * @param sequenceId the packet's sequence id as it came off the wire
 * @param tls whether the packet travelled inside TLS
 * @param scramble the scramble the fake had last sent on this connection (greeting or AuthSwitchRequest)
 */
public record Received(int connection, Kind kind, byte[] payload, int sequenceId, boolean tls, byte[] scramble) {

    public enum Kind {
        /** The 32-byte SSLRequest that precedes the TLS handshake. */
        SSL_REQUEST,
        /** HandshakeResponse41. */
        LOGIN,
        /** The auth response after an AuthSwitchRequest. */
        AUTH_SWITCH_RESPONSE,
        /** caching_sha2_password: the single byte 0x02 asking for the server's RSA key. */
        PUBLIC_KEY_REQUEST,
        /** caching_sha2_password full authentication inside TLS: the password and a NUL. */
        CLEARTEXT_PASSWORD,
        /** caching_sha2_password full authentication without TLS: RSA-OAEP of (password + NUL) XOR scramble. */
        ENCRYPTED_PASSWORD,
        /** A command-phase packet. */
        COMMAND,
        /** Anything a silent fake received and ignored. */
        IGNORED
    }

    public Received {
        payload = payload.clone();
        scramble = scramble == null ? new byte[0] : scramble.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public byte[] scramble() {
        return scramble.clone();
    }

    @Override
    public String toString() {
        return "Received[conn=" + connection + ", " + kind + ", seq=" + sequenceId + ", tls=" + tls + ", payload="
                + HexFormat.of().formatHex(payload) + "]";
    }
}
