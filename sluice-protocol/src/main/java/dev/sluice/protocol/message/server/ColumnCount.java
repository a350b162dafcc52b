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
 * <p>How many: a table has at most 4096 columns, but a select list has no limit of its own (MariaDB 10.11 answers
 * {@code SELECT 0,1,...,69999} with 70,000 columns) and the count is a length-encoded integer, so it is not
 * bounded by 16 bits. Nothing is allocated by the announced count (definitions are streamed and counted), so
 * the bound is what clients would have to hold: {@link #MAX_COLUMNS}.
 *
 * <p>MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA is not supported: a greeting relayed by Sluice must mask it.
 */
public record ColumnCount(long count, boolean metadataFollows) {
    /**
     * The largest count accepted: 16,777,215, the largest a 4-byte length-encoded integer holds. Its definitions
     * (22 bytes each at least) would be 352 MiB of metadata for a client to hold, and any row at least 16 MiB (a
     * byte per column). A 9-byte count starts with 0xFE, which the first packet of a result never does (the
     * decoder refuses it there: DESIGN §5).
     */
    public static final long MAX_COLUMNS = 0xFFFFFF;

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
        if (count < 1 || Long.compareUnsigned(count, MAX_COLUMNS) > 0) {
            throw new ProtocolException("ColumnCount column_count: " + Long.toUnsignedString(count) + " (expected: 1.."
                    + MAX_COLUMNS + ")");
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
