package dev.sluice.proxy.hostile;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * Follows the framing of the bytes written to a client, in order, without copying: where each physical packet's
 * header and payload end (the cuts of split-frames), which logical packet a header starts (16 MiB continuations
 * belong to the packet before them), and stamps a wrong sequence id on the one logical packet it is told to.
 */
final class FrameWalker {
    private static final int MAX_CHUNK = 0xFFFFFF;

    private int headerSeen;
    private int length;
    private long payloadLeft;
    private boolean continuing;
    private long offset;
    private long logical;
    private long corruptLogical = -1;
    private final ArrayDeque<Long> boundaries = new ArrayDeque<>();
    private boolean recordBoundaries;

    FrameWalker(boolean recordBoundaries) {
        this.recordBoundaries = recordBoundaries;
    }

    void recordBoundaries(boolean record) {
        recordBoundaries = record;
        if (!record) {
            boundaries.clear();
        }
    }

    /** The logical packet (1 = the greeting) whose first header gets a sequence id one too high. */
    void corrupt(long logicalIndex) {
        corruptLogical = logicalIndex;
    }

    /** Walks the readable bytes of {@code buf}, the next bytes of the stream; may change a sequence id in place. */
    void walk(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                i += n;
                offset += n;
                payloadLeft -= n;
                if (payloadLeft == 0) {
                    boundary();
                }
                continue;
            }
            int b = buf.getUnsignedByte(i);
            if (headerSeen < 3) {
                length |= b << (8 * headerSeen);
            } else {
                if (!continuing) {
                    logical++;
                    if (logical == corruptLogical) {
                        // only ever a header the encoder made (its own buffer), never a relayed payload
                        buf.setByte(i, (b + 1) & 0xFF);
                    }
                }
                continuing = length == MAX_CHUNK;
                payloadLeft = length;
            }
            headerSeen++;
            i++;
            offset++;
            if (headerSeen == 4) {
                headerSeen = 0;
                length = 0;
                boundary();
            }
        }
    }

    private void boundary() {
        if (recordBoundaries) {
            boundaries.add(offset);
        }
    }

    /** Bytes from stream offset {@code at} to the next header or payload end after it; 0 when none is known yet. */
    long toNextBoundary(long at) {
        while (!boundaries.isEmpty() && boundaries.peek() <= at) {
            boundaries.poll();
        }
        return boundaries.isEmpty() ? 0 : boundaries.peek() - at;
    }
}
