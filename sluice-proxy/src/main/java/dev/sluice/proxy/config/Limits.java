package dev.sluice.proxy.config;

/**
 * @param maxPacketSize the largest logical packet (after 16 MiB continuations are joined) accepted from a
 *     client or a server; bounded before anything is allocated
 * @param maxClientConnections clients beyond this get ERR 1040 (too many connections) at once
 */
public record Limits(int maxPacketSize, int maxClientConnections) {
    public static final int DEFAULT_MAX_PACKET_SIZE = 64 << 20;

    public Limits {
        if (maxPacketSize < 1024) {
            throw new IllegalArgumentException("max-packet-size: " + maxPacketSize + " (expected: >= 1024)");
        }
        if (maxClientConnections < 1) {
            throw new IllegalArgumentException("max-client-connections: " + maxClientConnections + " (expected: >= 1)");
        }
    }

    public static Limits defaults() {
        return new Limits(DEFAULT_MAX_PACKET_SIZE, 10_000);
    }
}
