package dev.sluice.protocol.validate;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives a {@link LinkValidator} as a client link would: a greeting offering {@code caps}, a login, then commands
 * read and responses written with the sequence ids a correct peer uses (or the ones a test forces).
 */
final class LinkScript {
    static final long BASE = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS
            | Capability.CLIENT_MYSQL;

    final List<Violation> violations = new ArrayList<>();
    final LinkValidator validator;
    final long caps;
    private int seq;

    LinkScript(long caps, boolean enforce) {
        this.caps = caps;
        validator = new LinkValidator("198.51.100.7:40000", 1 << 24, enforce, violations::add);
        written(b -> new HandshakeV10("8.0.36", 77, new byte[20], caps, 33, 2, "mysql_native_password").encode(b));
        read(b -> new HandshakeResponse41(
                        caps, 1 << 24, 33, "u", new byte[20], null, "mysql_native_password", List.of(), 0)
                .encode(b));
        written(b -> OkPacket.of(0, 0, 2, 0).encode(b, caps));
    }

    /** A command (sequence id 0); returns what the tap returned. */
    boolean command(int... bytes) {
        seq = 0;
        return read(bytes(bytes));
    }

    boolean read(Consumer<ByteBuf> payload) {
        ByteBuf b = Unpooled.buffer();
        payload.accept(b);
        return read(b);
    }

    boolean read(ByteBuf b) {
        try {
            return validator.read(b, seq++ & 0xFF);
        } finally {
            b.release();
        }
    }

    boolean written(Consumer<ByteBuf> payload) {
        ByteBuf b = Unpooled.buffer();
        payload.accept(b);
        return written(b);
    }

    boolean written(ByteBuf b) {
        return writtenAs(b, seq++ & 0xFF);
    }

    boolean writtenAs(ByteBuf b, int id) {
        try {
            return validator.written(b, id);
        } finally {
            b.release();
        }
    }

    boolean written(int... bytes) {
        return written(bytes(bytes));
    }

    boolean ok(int status) {
        return written(b -> OkPacket.of(0, 0, status, 0).encode(b, caps));
    }

    boolean columnCount(int n) {
        return written(b -> Wire.writeLenencInt(b, n));
    }

    boolean column(ColumnType type) {
        return written(
                b -> ColumnDefinition41.of("s", "t", "c", 33, 11, type, 0, 0).encode(b, caps, false));
    }

    boolean eof(int status) {
        return written(0xFE, 0, 0, status & 0xFF, status >> 8);
    }

    /** A text row of the given values (null: NULL). */
    boolean textRow(String... values) {
        return written(b -> {
            for (String v : values) {
                if (v == null) {
                    b.writeByte(0xFB);
                } else {
                    Wire.writeLenencString(b, v);
                }
            }
        });
    }

    static ByteBuf bytes(int... bytes) {
        ByteBuf b = Unpooled.buffer(bytes.length);
        for (int x : bytes) {
            b.writeByte(x);
        }
        return b;
    }

    Violation only() {
        if (violations.size() != 1) {
            throw new AssertionError("expected one violation, got " + violations);
        }
        return violations.get(0);
    }
}
