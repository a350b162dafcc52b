package dev.sluice.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The protocol's basic data types on a {@link ByteBuf}: fixed-length little-endian integers
 * (int&lt;1&gt; … int&lt;8&gt;), length-encoded integers and strings, NUL-terminated strings and
 * rest-of-packet strings. This is the one place those encodings are implemented (DESIGN invariant 2).
 *
 * <p>Every read checks the bytes it needs against what the payload holds before touching them and throws
 * {@link ProtocolException} naming the field otherwise, so a lying length can never cause an allocation or
 * an {@link IndexOutOfBoundsException}. Integers the protocol defines as unsigned 64-bit are returned as
 * {@code long} carrying the same bits; use {@link Long#toUnsignedString(long)} to print them.
 */
public final class Wire {
    /** First byte of a length-encoded integer that is a 2-byte value follows. */
    public static final int LENENC_2 = 0xFC;
    /** First byte of a length-encoded integer that is a 3-byte value follows. */
    public static final int LENENC_3 = 0xFD;
    /** First byte of a length-encoded integer that is an 8-byte value follows. */
    public static final int LENENC_8 = 0xFE;
    /** NULL in a text row, in place of a length-encoded string. */
    public static final int NULL_MARKER = 0xFB;

    private Wire() {}

    // ---- fixed-length integers ------------------------------------------------------------------

    public static int readInt1(ByteBuf buf, String field) {
        need(buf, 1, field);
        return buf.readUnsignedByte();
    }

    public static int readInt2(ByteBuf buf, String field) {
        need(buf, 2, field);
        return buf.readUnsignedShortLE();
    }

    public static int readInt3(ByteBuf buf, String field) {
        need(buf, 3, field);
        return buf.readUnsignedMediumLE();
    }

    public static long readInt4(ByteBuf buf, String field) {
        need(buf, 4, field);
        return buf.readUnsignedIntLE();
    }

    public static long readInt6(ByteBuf buf, String field) {
        need(buf, 6, field);
        long low = buf.readUnsignedIntLE();
        long high = buf.readUnsignedShortLE();
        return low | (high << 32);
    }

    /** int&lt;8&gt;, unsigned; the bits are returned as a {@code long}. */
    public static long readInt8(ByteBuf buf, String field) {
        need(buf, 8, field);
        return buf.readLongLE();
    }

    public static void writeInt1(ByteBuf buf, int value) {
        buf.writeByte(value);
    }

    public static void writeInt2(ByteBuf buf, int value) {
        buf.writeShortLE(value);
    }

    public static void writeInt3(ByteBuf buf, int value) {
        buf.writeMediumLE(value);
    }

    public static void writeInt4(ByteBuf buf, long value) {
        buf.writeIntLE((int) value);
    }

    public static void writeInt6(ByteBuf buf, long value) {
        buf.writeIntLE((int) value);
        buf.writeShortLE((int) (value >>> 32));
    }

    public static void writeInt8(ByteBuf buf, long value) {
        buf.writeLongLE(value);
    }

    // ---- length-encoded integers ----------------------------------------------------------------

    /**
     * Reads a length-encoded integer. 0xFB (NULL) and 0xFF (the header of an ERR packet, never a valid
     * integer) are protocol errors here; use {@link #isNull(ByteBuf)} first where NULL is legal.
     */
    public static long readLenencInt(ByteBuf buf, String field) {
        int first = readInt1(buf, field);
        if (first < NULL_MARKER) {
            return first;
        }
        switch (first) {
            case LENENC_2:
                return readInt2(buf, field);
            case LENENC_3:
                return readInt3(buf, field);
            case LENENC_8:
                return readInt8(buf, field);
            case NULL_MARKER:
                throw new ProtocolException(
                        field + ": length-encoded integer is NULL (0xFB) where NULL is not allowed");
            default:
                throw new ProtocolException(field + ": invalid first byte 0x" + Integer.toHexString(first)
                        + " of a length-encoded integer");
        }
    }

    /**
     * Reads a length-encoded integer used as a length of something within this payload: it must fit in an
     * {@code int} and not exceed the bytes remaining, so the caller can allocate by it safely.
     */
    public static int readLenencLength(ByteBuf buf, String field) {
        long length = readLenencInt(buf, field);
        if (length < 0 || length > buf.readableBytes()) {
            throw new ProtocolException(field + ": length " + Long.toUnsignedString(length) + " (expected: <= "
                    + buf.readableBytes() + " remaining bytes)");
        }
        return (int) length;
    }

    /** True when the next byte is the 0xFB NULL marker of a text row; consumes nothing. */
    public static boolean isNull(ByteBuf buf) {
        return buf.isReadable() && buf.getUnsignedByte(buf.readerIndex()) == NULL_MARKER;
    }

    /** Number of bytes {@link #writeLenencInt} takes for {@code value} (unsigned): 1, 3, 4 or 9. */
    public static int lenencIntSize(long value) {
        if (value >= 0 && value < NULL_MARKER) {
            return 1;
        } else if (value >= 0 && value < (1L << 16)) {
            return 3;
        } else if (value >= 0 && value < (1L << 24)) {
            return 4;
        }
        return 9;
    }

    /** Writes {@code value} (treated as unsigned) as a length-encoded integer in the shortest form. */
    public static void writeLenencInt(ByteBuf buf, long value) {
        switch (lenencIntSize(value)) {
            case 1:
                buf.writeByte((int) value);
                break;
            case 3:
                buf.writeByte(LENENC_2);
                buf.writeShortLE((int) value);
                break;
            case 4:
                buf.writeByte(LENENC_3);
                buf.writeMediumLE((int) value);
                break;
            default:
                buf.writeByte(LENENC_8);
                buf.writeLongLE(value);
                break;
        }
    }

    // ---- strings --------------------------------------------------------------------------------

    public static byte[] readLenencBytes(ByteBuf buf, String field) {
        int length = readLenencLength(buf, field);
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }

    public static String readLenencString(ByteBuf buf, Charset charset, String field) {
        int length = readLenencLength(buf, field);
        String s = buf.toString(buf.readerIndex(), length, charset);
        buf.skipBytes(length);
        return s;
    }

    public static String readLenencString(ByteBuf buf, String field) {
        return readLenencString(buf, StandardCharsets.UTF_8, field);
    }

    /** Skips a length-encoded string without copying it. */
    public static void skipLenencString(ByteBuf buf, String field) {
        buf.skipBytes(readLenencLength(buf, field));
    }

    public static void writeLenencBytes(ByteBuf buf, byte[] bytes) {
        writeLenencInt(buf, bytes.length);
        buf.writeBytes(bytes);
    }

    public static void writeLenencString(ByteBuf buf, String value, Charset charset) {
        writeLenencBytes(buf, value.getBytes(charset));
    }

    public static void writeLenencString(ByteBuf buf, String value) {
        writeLenencString(buf, value, StandardCharsets.UTF_8);
    }

    /** string&lt;NUL&gt;: bytes up to a 0x00 terminator, which is consumed and must be present. */
    public static byte[] readNulBytes(ByteBuf buf, String field) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new ProtocolException(
                    field + ": NUL-terminated string without terminator (" + buf.readableBytes() + " bytes remaining)");
        }
        byte[] bytes = new byte[end - buf.readerIndex()];
        buf.readBytes(bytes);
        buf.skipBytes(1);
        return bytes;
    }

    public static String readNulString(ByteBuf buf, Charset charset, String field) {
        return new String(readNulBytes(buf, field), charset);
    }

    public static String readNulString(ByteBuf buf, String field) {
        return readNulString(buf, StandardCharsets.UTF_8, field);
    }

    public static void writeNulString(ByteBuf buf, String value, Charset charset) {
        buf.writeBytes(value.getBytes(charset));
        buf.writeByte(0);
    }

    public static void writeNulString(ByteBuf buf, String value) {
        writeNulString(buf, value, StandardCharsets.UTF_8);
    }

    public static byte[] readFixedBytes(ByteBuf buf, int length, String field) {
        need(buf, length, field);
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }

    public static String readFixedString(ByteBuf buf, int length, Charset charset, String field) {
        need(buf, length, field);
        String s = buf.toString(buf.readerIndex(), length, charset);
        buf.skipBytes(length);
        return s;
    }

    /** string&lt;EOF&gt;: everything left in the payload. */
    public static byte[] readRestBytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    public static String readRestString(ByteBuf buf, Charset charset) {
        String s = buf.toString(charset);
        buf.skipBytes(buf.readableBytes());
        return s;
    }

    public static String readRestString(ByteBuf buf) {
        return readRestString(buf, StandardCharsets.UTF_8);
    }

    /** Skips {@code length} bytes (filler, reserved) after checking they are there. */
    public static void skip(ByteBuf buf, int length, String field) {
        need(buf, length, field);
        buf.skipBytes(length);
    }

    /** Throws unless {@code length} more bytes are readable; names the field and both numbers. */
    public static void need(ByteBuf buf, int length, String field) {
        if (length < 0) {
            // A length computed from peer data must never turn into a negative array size.
            throw new ProtocolException(field + ": negative length " + length);
        }
        if (buf.readableBytes() < length) {
            throw new ProtocolException(
                    field + ": truncated, needs " + length + " bytes, " + buf.readableBytes() + " remaining");
        }
    }

    /** Throws when anything is left after a message that must be consumed entirely. */
    public static void expectEnd(ByteBuf buf, String message) {
        if (buf.isReadable()) {
            throw new ProtocolException(message + ": " + buf.readableBytes() + " unexpected trailing bytes");
        }
    }
}
