package dev.sluice.protocol.validate;

import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * Walks a payload field by field without moving its indices, throwing a {@link Breach} that names the field and its
 * offset when the payload breaks a rule. One instance serves one link (reset per packet), so checking allocates
 * nothing while the packet is well formed.
 */
final class Fields {
    /** Returned by {@link #lenenc} for the NULL marker 0xFB, where NULL is allowed. */
    static final long NULL = -1;

    private ByteBuf buf;
    private int start;
    private int end;
    private int pos;
    private int statusAt = -1;
    /** A row's column being walked, named in a breach after the field's name (-1: none); no string per column. */
    private long column = -1;

    Fields on(ByteBuf payload) {
        buf = payload;
        start = payload.readerIndex();
        end = payload.writerIndex();
        pos = start;
        statusAt = -1;
        column = -1;
        return this;
    }

    /** The fields read from now on belong to column {@code index} of a row (-1: to no column). */
    Fields column(long index) {
        column = index;
        return this;
    }

    /** A field's name in a breach: with the column it belongs to, if any. */
    private String name(String field) {
        return column < 0 ? field : field + " " + column;
    }

    /** Offset of the next field in the payload. */
    int offset() {
        return pos - start;
    }

    int remaining() {
        return end - pos;
    }

    int length() {
        return end - start;
    }

    /** The byte at a payload offset already walked past (e.g. a null bitmap). */
    int byteAt(int offset) {
        return buf.getUnsignedByte(start + offset);
    }

    int peek() {
        need(1, "a byte");
        return buf.getUnsignedByte(pos);
    }

    int int1(String field) {
        need(1, field);
        return buf.getUnsignedByte(pos++);
    }

    /** Where the last status_flags field read began (-1: none in this packet). */
    int statusOffset() {
        return statusAt;
    }

    int int2(String field) {
        if (field.endsWith("status_flags")) {
            statusAt = offset();
        }
        need(2, field);
        int v = buf.getUnsignedShortLE(pos);
        pos += 2;
        return v;
    }

    long int4(String field) {
        need(4, field);
        long v = buf.getUnsignedIntLE(pos);
        pos += 4;
        return v;
    }

    void skip(int n, String field) {
        need(n, field);
        pos += n;
    }

    /**
     * A length-encoded integer in a legal form: never 0xFF, 0xFB only where {@code nullAllowed} (then {@link #NULL}).
     * An 8-byte value above {@link Long#MAX_VALUE} comes back negative: callers only compare it with what remains.
     */
    long lenenc(String field, boolean nullAllowed) {
        int at = offset();
        int first = int1(field);
        if (first < Wire.NULL_MARKER) {
            return first;
        }
        switch (first) {
            case Wire.NULL_MARKER:
                if (nullAllowed) {
                    return NULL;
                }
                throw new Breach(
                        Rule.LENENC, at, name(field) + " as a length-encoded integer", "0xfb (NULL), not allowed here");
            case Wire.LENENC_2:
                return int2(field);
            case Wire.LENENC_3: {
                need(3, field);
                long v = buf.getUnsignedMediumLE(pos);
                pos += 3;
                return v;
            }
            case Wire.LENENC_8: {
                need(8, field);
                long v = buf.getLongLE(pos);
                pos += 8;
                return v;
            }
            default:
                throw new Breach(Rule.LENENC, at, name(field) + " as a length-encoded integer", "0xff, never a length");
        }
    }

    /** A length-encoded string (NULL where allowed): its length checked against what remains, then skipped. */
    void lenencString(String field, boolean nullAllowed) {
        int at = offset();
        long n = lenenc(field, nullAllowed);
        if (n == NULL && nullAllowed) {
            return;
        }
        if (n < 0 || n > remaining()) {
            throw new Breach(
                    Rule.LENGTH,
                    at,
                    name(field) + " of at most " + remaining() + " bytes (what the packet holds after its length)",
                    "a length of " + Long.toUnsignedString(n));
        }
        pos += (int) n;
    }

    /** The payload must end here. */
    void end(String what) {
        if (pos != end) {
            throw new Breach(
                    Rule.LENGTH,
                    offset(),
                    what + " to end at byte " + offset(),
                    (end - pos) + " bytes more (packet of " + length() + ")");
        }
    }

    /** A row of {@code columns} columns must end here. */
    void endRow(String kind, long columns) {
        column = -1;
        if (pos != end) {
            end(kind + " of " + columns + " columns");
        }
    }

    private void need(int n, String field) {
        if (end - pos < n) {
            throw new Breach(
                    Rule.LENGTH,
                    offset(),
                    n + " bytes of " + name(field),
                    "the packet ends after " + length() + " bytes (" + (end - pos) + " left)");
        }
    }
}
