package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * The first packet of a result set: the number of columns (int&lt;lenenc&gt;, at least 1; 0 would be an OK
 * packet). Under MARIADB_CLIENT_CACHE_METADATA a byte follows saying whether the column definitions are
 * sent (1) or skipped because the client cached them from an earlier execution of the statement (0).
 *
 * <p>MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA is not supported: a greeting relayed by Sluice must mask it.
 */
public record ColumnCount(long count, boolean metadataFollows) {
    public ColumnCount {
        if (count < 1) {
            throw new IllegalArgumentException("count: " + Long.toUnsignedString(count) + " (expected: >= 1)");
        }
    }

    public static ColumnCount of(long count) {
        return new ColumnCount(count, true);
    }

    public static ColumnCount decode(ByteBuf buf, long capabilities) {
        long count = Wire.readLenencInt(buf, "ColumnCount column_count");
        if (count < 1 || count > 0xFFFF) {
            // A table has at most 4096 columns; the definitions' count must fit what a client can hold.
            throw new ProtocolException("ColumnCount column_count: " + Long.toUnsignedString(count)
                    + " (expected: 1..65535)");
        }
        boolean follows = true;
        if (Capability.has(capabilities, Capability.MARIADB_CLIENT_CACHE_METADATA)) {
            int flag = Wire.readInt1(buf, "ColumnCount metadata_follows");
            if (flag > 1) {
                throw new ProtocolException("ColumnCount metadata_follows: " + flag + " (expected: 0 or 1)");
            }
            follows = flag == 1;
        }
        Wire.expectEnd(buf, "ColumnCount");
        return new ColumnCount(count, follows);
    }

    public void encode(ByteBuf buf, long capabilities) {
        Wire.writeLenencInt(buf, count);
        if (Capability.has(capabilities, Capability.MARIADB_CLIENT_CACHE_METADATA)) {
            buf.writeByte(metadataFollows ? 1 : 0);
        } else if (!metadataFollows) {
            throw new IllegalStateException("metadata can only be skipped under MARIADB_CLIENT_CACHE_METADATA");
        }
    }
}
