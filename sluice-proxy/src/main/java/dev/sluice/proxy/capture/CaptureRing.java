package dev.sluice.proxy.capture;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The last packets of one session, bounded by count and by bytes: packet data lives in one circular byte array that
 * grows (doubling, from 4 KiB) up to the byte bound and is then reused; the oldest packets make room for new ones.
 * A packet longer than the per-packet cap keeps its head and its real length. Used on the session's event loop
 * only; {@link #snapshot} copies out what is kept.
 */
final class CaptureRing {
    private static final int INITIAL_BYTES = 4096;

    private final int maxBytes;
    private final int frameCap;
    private final int capacity;
    private final boolean[] fromClient;
    private final boolean[] handshakeResponse;
    private final int[] sequenceId;
    private final int[] length;
    private final int[] stored;
    private final long[] micros;
    private final long[] offset;
    private final long[] peerOffset;
    /** Index of the oldest packet, and how many are kept. */
    private int first;

    private int count;
    private byte[] data;
    /** Where the oldest packet's bytes start in {@link #data}, and how many bytes are in use from there (wrapping). */
    private int dataStart;

    private int dataUsed;

    CaptureRing(int maxFrames, int maxBytes, int frameCap) {
        this.capacity = maxFrames;
        this.maxBytes = maxBytes;
        this.frameCap = Math.min(frameCap, maxBytes);
        this.fromClient = new boolean[maxFrames];
        this.handshakeResponse = new boolean[maxFrames];
        this.sequenceId = new int[maxFrames];
        this.length = new int[maxFrames];
        this.stored = new int[maxFrames];
        this.micros = new long[maxFrames];
        this.offset = new long[maxFrames];
        this.peerOffset = new long[maxFrames];
        this.data = new byte[Math.min(INITIAL_BYTES, maxBytes)];
    }

    /**
     * Keeps a copy of {@code payload}'s readable bytes (its indices are not moved), the oldest packets giving way;
     * bytes {@code [redactFrom, redactTo)} of the payload are kept as zeros.
     */
    void add(
            boolean client,
            int sequence,
            ByteBuf payload,
            int redactFrom,
            int redactTo,
            boolean isHandshakeResponse,
            long at,
            long streamOffset,
            long peerStreamOffset) {
        int real = payload.readableBytes();
        int keep = Math.min(real, frameCap);
        makeRoom(keep);
        int slot = (first + count) % capacity;
        int position = (dataStart + dataUsed) % data.length;
        int firstPart = Math.min(keep, data.length - position);
        payload.getBytes(payload.readerIndex(), data, position, firstPart);
        if (keep > firstPart) {
            payload.getBytes(payload.readerIndex() + firstPart, data, 0, keep - firstPart);
        }
        for (int i = Math.max(0, redactFrom); i < Math.min(keep, redactTo); i++) {
            data[(position + i) % data.length] = 0;
        }
        dataUsed += keep;
        fromClient[slot] = client;
        handshakeResponse[slot] = isHandshakeResponse;
        sequenceId[slot] = sequence;
        length[slot] = real;
        stored[slot] = keep;
        micros[slot] = at;
        offset[slot] = streamOffset;
        peerOffset[slot] = peerStreamOffset;
        count++;
    }

    /** Drops the oldest packets until one more of {@code bytes} fits, growing the array first while it may. */
    private void makeRoom(int bytes) {
        if (dataUsed + bytes > data.length && data.length < maxBytes) {
            grow(Math.min(maxBytes, Math.max(data.length * 2, dataUsed + bytes)));
        }
        while (count == capacity || dataUsed + bytes > data.length) {
            dataStart = (dataStart + stored[first]) % data.length;
            dataUsed -= stored[first];
            first = (first + 1) % capacity;
            count--;
        }
        if (count == 0) {
            dataStart = 0;
        }
    }

    private void grow(int size) {
        byte[] bigger = new byte[size];
        copyOut(dataStart, bigger, 0, dataUsed);
        data = bigger;
        dataStart = 0;
    }

    private void copyOut(int from, byte[] to, int at, int n) {
        int firstPart = Math.min(n, data.length - from);
        System.arraycopy(data, from, to, at, firstPart);
        System.arraycopy(data, 0, to, at + firstPart, n - firstPart);
    }

    /** Copies of the packets kept, oldest first. */
    List<CapturedFrame> snapshot() {
        List<CapturedFrame> frames = new ArrayList<>(count);
        int position = dataStart;
        for (int i = 0; i < count; i++) {
            int slot = (first + i) % capacity;
            byte[] head = new byte[stored[slot]];
            copyOut(position, head, 0, head.length);
            position = (position + head.length) % data.length;
            frames.add(new CapturedFrame(
                    fromClient[slot],
                    sequenceId[slot],
                    length[slot],
                    head,
                    micros[slot],
                    offset[slot],
                    peerOffset[slot],
                    handshakeResponse[slot]));
        }
        return frames;
    }

    int frames() {
        return count;
    }

    /** Bytes of packet data kept. */
    int bytes() {
        return dataUsed;
    }

    /** The size of the byte array now (what the ring costs, at most the byte bound). */
    int allocated() {
        return data.length;
    }
}
