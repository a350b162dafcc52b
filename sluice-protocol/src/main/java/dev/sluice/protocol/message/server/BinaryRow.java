package dev.sluice.protocol.message.server;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.BinaryValues;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Binary Protocol Resultset Row: header 0x00, a NULL bitmap of (columns + 7 + 2) / 8 bytes whose first two
 * bits are unused (the "offset 2", a leftover of the packet header byte), then each non-NULL value in the
 * binary form of its column type ({@link BinaryValues}). {@code values} holds {@code null} for NULL.
 */
public record BinaryRow(List<Object> values) {
    public static final int HEADER = 0x00;
    static final int BITMAP_OFFSET = 2;

    public BinaryRow {
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    public static int bitmapLength(int columns) {
        return (columns + 7 + BITMAP_OFFSET) / 8;
    }

    public static BinaryRow decode(ByteBuf buf, List<BinaryType> columns) {
        int header = Wire.readInt1(buf, "BinaryRow header");
        if (header != HEADER) {
            throw new ProtocolException("BinaryRow header: 0x" + Integer.toHexString(header) + " (expected: 0x00)");
        }
        int n = columns.size();
        byte[] bitmap = Wire.readFixedBytes(buf, bitmapLength(n), "BinaryRow null_bitmap");
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int bit = i + BITMAP_OFFSET;
            if ((bitmap[bit >> 3] & (1 << (bit & 7))) != 0) {
                values.add(null);
            } else {
                values.add(BinaryValues.decode(buf, columns.get(i), "BinaryRow column " + i));
            }
        }
        Wire.expectEnd(buf, "BinaryRow");
        return new BinaryRow(values);
    }

    public void encode(ByteBuf buf, List<BinaryType> columns) {
        if (columns.size() != values.size()) {
            throw new IllegalArgumentException(values.size() + " values for " + columns.size() + " columns");
        }
        buf.writeByte(HEADER);
        byte[] bitmap = new byte[bitmapLength(values.size())];
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                int bit = i + BITMAP_OFFSET;
                bitmap[bit >> 3] |= (byte) (1 << (bit & 7));
            }
        }
        buf.writeBytes(bitmap);
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) != null) {
                BinaryValues.encode(buf, columns.get(i), values.get(i));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BinaryRow other) || other.values.size() != values.size()) {
            return false;
        }
        for (int i = 0; i < values.size(); i++) {
            if (!Objects.deepEquals(values.get(i), other.values.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values.toArray());
    }
}
