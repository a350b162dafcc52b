package dev.sluice.protocol.message.server;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Text Resultset Row: one length-encoded string per column, 0xFB for NULL. A row holds exactly the announced
 * number of values; {@code values} has {@code null} for NULL and an empty array for the empty string.
 *
 * <p>A row's first byte can be 0xFE (a value of 16 MiB or more); the response decoder, not this class,
 * separates that from an EOF/OK by payload length.
 */
public record TextRow(List<byte[]> values) {
    public TextRow {
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    public static TextRow decode(ByteBuf buf, int columnCount) {
        List<byte[]> values = new ArrayList<>(Math.min(columnCount, 4096));
        for (int i = 0; i < columnCount; i++) {
            if (!buf.isReadable()) {
                throw new ProtocolException("TextRow: " + i + " values (expected: " + columnCount + ")");
            }
            if (Wire.isNull(buf)) {
                buf.skipBytes(1);
                values.add(null);
            } else {
                values.add(Wire.readLenencBytes(buf, "TextRow column " + i));
            }
        }
        if (buf.isReadable()) {
            throw new ProtocolException("TextRow: " + buf.readableBytes() + " bytes after the " + columnCount
                    + " announced values (expected: none; more values than columns?)");
        }
        return new TextRow(values);
    }

    public void encode(ByteBuf buf) {
        for (byte[] v : values) {
            if (v == null) {
                buf.writeByte(Wire.NULL_MARKER);
            } else {
                Wire.writeLenencBytes(buf, v);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TextRow other) || other.values.size() != values.size()) {
            return false;
        }
        for (int i = 0; i < values.size(); i++) {
            if (!Arrays.equals(values.get(i), other.values.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (byte[] v : values) {
            h = 31 * h + Arrays.hashCode(v);
        }
        return h;
    }
}
