package dev.sluice.proxy.capture;

/**
 * One MySQL packet as a capture keeps it: its direction, sequence id, real payload length and the head of the payload
 * kept (all of it unless the packet was longer than the per-packet cap), when it passed, and where it sits in the
 * TCP streams of the client link (byte offsets from the connection's start, each direction counting the bytes it
 * sent, headers included).
 *
 * @param fromClient read from the client (else written to it)
 * @param sequenceId the packet's sequence id (its first physical packet's)
 * @param length the real payload length
 * @param head the payload's first bytes as kept (redacted where it carried a secret)
 * @param micros when it passed, microseconds since the epoch
 * @param offset its first byte's offset in its direction's stream
 * @param peerOffset the other direction's bytes so far (what an ACK would acknowledge)
 * @param handshakeResponse whether this is the client's HandshakeResponse41 (its TLS and compression bits are
 *     cleared in files: what the capture shows is decrypted and decompressed)
 */
public record CapturedFrame(
        boolean fromClient,
        int sequenceId,
        int length,
        byte[] head,
        long micros,
        long offset,
        long peerOffset,
        boolean handshakeResponse) {

    /** Bytes the packet takes on the wire: its payload and the 4-byte header of each physical packet. */
    public long wireLength() {
        return wireLength(length);
    }

    static long wireLength(int payload) {
        return payload + 4L * (payload / 0xFFFFFF + 1);
    }
}
