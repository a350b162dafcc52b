package dev.sluice.protocol;

/**
 * Bytes from a peer that break the protocol: a truncated field, a length-encoded integer starting with
 * 0xFF, a packet longer than the configured maximum, a sequence id out of order. The message always names
 * what was being read and where, so the ERR a session builds from it tells the user what failed.
 *
 * <p>Unchecked because it is thrown from inside Netty decoders; sessions catch it at one place and turn it
 * into an ERR packet or a closed connection (DESIGN invariant 10).
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
