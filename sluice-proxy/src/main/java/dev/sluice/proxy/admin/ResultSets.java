package dev.sluice.proxy.admin;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.binary.ColumnFlags;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.TextRow;
import dev.sluice.proxy.ops.OpsTable;
import dev.sluice.proxy.ops.OpsValues;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes admin answers as a server would: an {@link OpsTable} as a text-protocol result set (column definitions
 * with real types, so that drivers and Grafana read numbers as numbers), an OK, an ERR. Text columns are
 * utf8mb4; integers BIGINT; decimals DOUBLE.
 */
final class ResultSets {
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int BINARY = 63;
    private static final int STATUS = dev.sluice.protocol.ServerStatus.AUTOCOMMIT;

    private ResultSets() {}

    static void write(Channel channel, long caps, AdminReply reply) {
        if (reply instanceof AdminReply.Table t) {
            table(channel, caps, t.table());
        } else if (reply instanceof AdminReply.Ok ok) {
            ok(channel, caps, ok.affected(), ok.info());
        } else {
            err(channel, caps, ((AdminReply.Error) reply).err());
        }
    }

    static void ok(Channel channel, long caps, long affected, String info) {
        ByteBuf buf = channel.alloc().buffer();
        new OkPacket(OkPacket.HEADER, affected, 0, STATUS, 0, info == null ? "" : info, List.of()).encode(buf, caps);
        channel.write(buf);
    }

    static ChannelFuture err(Channel channel, long caps, ErrPacket err) {
        ByteBuf buf = channel.alloc().buffer();
        err.encode(buf, caps);
        return channel.write(buf);
    }

    /** The EOF COM_SET_OPTION is answered with. */
    static void eof(Channel channel, long caps) {
        ByteBuf buf = channel.alloc().buffer();
        new EofPacket(0, STATUS).encode(buf, caps);
        channel.write(buf);
    }

    static void table(Channel channel, long caps, OpsTable table) {
        boolean deprecateEof = Capability.has(caps, Capability.CLIENT_DEPRECATE_EOF);
        ByteBuf count = channel.alloc().buffer();
        ColumnCount.of(table.columns().size()).encode(count, caps);
        channel.write(count);
        for (OpsTable.Column c : table.columns()) {
            ByteBuf buf = channel.alloc().buffer();
            definition(c).encode(buf, caps, false);
            channel.write(buf);
        }
        if (!deprecateEof) {
            eof(channel, caps);
        }
        for (List<Object> row : table.rows()) {
            List<byte[]> values = new ArrayList<>(row.size());
            for (Object v : row) {
                String text = OpsValues.text(v);
                values.add(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
            }
            ByteBuf buf = channel.alloc().buffer();
            new TextRow(values).encode(buf);
            channel.write(buf);
        }
        ByteBuf end = channel.alloc().buffer();
        if (deprecateEof) {
            new OkPacket(OkPacket.HEADER_EOF, 0, 0, STATUS, 0, "", List.of()).encode(end, caps);
        } else {
            new EofPacket(0, STATUS).encode(end, caps);
        }
        channel.write(end);
    }

    private static ColumnDefinition41 definition(OpsTable.Column c) {
        return switch (c.kind()) {
            case TEXT -> ColumnDefinition41.of("", "", c.name(), UTF8MB4_GENERAL_CI, 4096, ColumnType.VAR_STRING, 0, 0);
            case INTEGER ->
                ColumnDefinition41.of(
                        "", "", c.name(), BINARY, 21, ColumnType.LONGLONG, ColumnFlags.BINARY | ColumnFlags.NUM, 0);
            case DECIMAL ->
                ColumnDefinition41.of(
                        "", "", c.name(), BINARY, 22, ColumnType.DOUBLE, ColumnFlags.BINARY | ColumnFlags.NUM, 31);
        };
    }
}
