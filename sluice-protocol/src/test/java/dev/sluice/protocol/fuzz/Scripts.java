package dev.sluice.protocol.fuzz;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Well-formed command exchanges of a logged-in link, for the validator's fuzzing to mutate. */
final class Scripts {
    record Step(boolean fromClient, int seq, byte[] payload) {}

    private final long caps;
    private final List<Step> steps = new ArrayList<>();
    private int seq;

    private Scripts(long caps) {
        this.caps = caps;
    }

    /** A text result, a prepared statement executed (binary rows, a cursor fetched), an OK: {@code rows} each. */
    static List<Step> session(long caps, int rows) {
        Scripts s = new Scripts(caps);
        boolean eofs = !Capability.has(caps, Capability.CLIENT_DEPRECATE_EOF);
        s.command(0x03, 'S', 'E', 'L');
        s.columnCount(2);
        s.column(ColumnType.LONG);
        s.column(ColumnType.VAR_STRING);
        if (eofs) {
            s.server(0xFE, 0, 0, 2, 0);
        }
        for (int i = 0; i < rows % 50; i++) {
            s.server(b -> {
                Wire.writeLenencString(b, "12");
                b.writeByte(0xFB);
            });
        }
        s.end();
        s.command(0x16, 'S');
        s.server(0x00, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0);
        s.column(ColumnType.LONG);
        s.column(ColumnType.DATETIME);
        if (eofs) {
            s.server(0xFE, 0, 0, 2, 0);
        }
        s.command(0x17, 1, 0, 0, 0, 1, 1, 0, 0, 0);
        s.columnCount(2);
        s.column(ColumnType.LONG);
        s.column(ColumnType.DATETIME);
        if (eofs) {
            s.server(0xFE, 0, 0, 0x42, 0);
        } else {
            s.server(0xFE, 0, 0, 0x42, 0, 0, 0); // the OK that says a cursor is open
        }
        s.command(0x1C, 1, 0, 0, 0, 5, 0, 0, 0);
        for (int i = 0; i < rows % 7; i++) {
            s.server(0x00, 0x08, 1, 0, 0, 0);
            s.server(0x00, 0x00, 1, 0, 0, 0, 4, 0xE8, 0x07, 1, 2);
        }
        s.end();
        s.command(0x03, 'I');
        s.server(b -> OkPacket.of(rows, 1_000_000, 2, 0).encode(b, s.caps));
        s.command(0x0E);
        s.server(0x00, 0, 0, 2, 0, 0, 0);
        return s.steps;
    }

    private void command(int... bytes) {
        seq = 0;
        steps.add(new Step(true, seq++, bytes(bytes)));
    }

    private void server(int... bytes) {
        steps.add(new Step(false, seq++, bytes(bytes)));
    }

    private void server(Consumer<ByteBuf> payload) {
        ByteBuf b = Unpooled.buffer();
        payload.accept(b);
        steps.add(new Step(false, seq++, ByteBufUtil.getBytes(b)));
        b.release();
    }

    private void columnCount(int n) {
        server(b -> {
            Wire.writeLenencInt(b, n);
            if (Capability.has(caps, Capability.MARIADB_CLIENT_CACHE_METADATA)) {
                b.writeByte(1); // metadata follows
            }
        });
    }

    private void column(ColumnType type) {
        server(b -> ColumnDefinition41.of("s", "t", "c", 63, 11, type, 0, 0).encode(b, caps, false));
    }

    private void end() {
        if (Capability.has(caps, Capability.CLIENT_DEPRECATE_EOF)) {
            server(0xFE, 0, 0, 2, 0, 0, 0);
        } else {
            server(0xFE, 0, 0, 2, 0);
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
