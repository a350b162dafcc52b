package dev.sluice.proxy.session;

import dev.sluice.protocol.wire.Packet;
import java.util.ArrayDeque;

/**
 * A session's client packets waiting for their turn: commands pipelined behind one in flight, sent before the server
 * connection is ready, or held while the server does not take what was already written to it. Bounded by count and
 * by payload bytes: while it is {@linkplain #full() full} the session stops reading the client, and reads again once
 * it is back under half of both bounds (so that reads are not switched on and off for every command).
 *
 * <p>The byte bound limits what queues behind a command, not the command itself: a single packet larger than the bound
 * (up to {@code max-packet-size}) still queues and passes. The count bound limits what small packets hold beyond their
 * bytes: each is a slice of the read buffer it arrived in.
 */
final class CommandQueue {
    /** Packets beyond which the client stops being read. */
    static final int MAX_PACKETS = 64;
    /** Payload bytes beyond which the client stops being read. */
    static final int MAX_BYTES = 1024 * 1024;

    private final ArrayDeque<Packet> packets = new ArrayDeque<>();
    private long bytes;

    void add(Packet packet) {
        packets.add(packet);
        bytes += packet.payload().readableBytes();
    }

    /** Puts a packet taken by {@link #poll()} back at the head (its command goes to another connection). */
    void addFirst(Packet packet) {
        packets.addFirst(packet);
        bytes += packet.payload().readableBytes();
    }

    /** The packet at the head, left in the queue; null if none. */
    Packet peek() {
        return packets.peek();
    }

    /** The oldest packet, now the caller's to release; null when empty. */
    Packet poll() {
        Packet packet = packets.poll();
        if (packet != null) {
            bytes -= packet.payload().readableBytes();
        }
        return packet;
    }

    int size() {
        return packets.size();
    }

    boolean isEmpty() {
        return packets.isEmpty();
    }

    /** At or over a bound: the client must not be read. */
    boolean full() {
        return packets.size() >= MAX_PACKETS || bytes >= MAX_BYTES;
    }

    /** Under half of both bounds: reading the client may resume. */
    boolean hasRoom() {
        return packets.size() < MAX_PACKETS / 2 && bytes < MAX_BYTES / 2;
    }

    /** Releases every queued packet (the session ends). */
    void clear() {
        for (Packet p; (p = poll()) != null; ) {
            p.release();
        }
    }
}
