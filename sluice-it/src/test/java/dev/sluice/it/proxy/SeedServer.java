package dev.sluice.it.proxy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A scripted server on plain sockets that commits the bugs of the seeds (see /shared/seeds) on demand, by the
 * statement it is sent: {@code SEED 004} answers an OK whose last_insert_id is 0xFD and four bytes (status and
 * warnings shifted by one); {@code SEED 000} streams {@link #ROWS} rows and then one with a sequence id out of order;
 * {@code SEED 003} ends a result with its EOF and then sends the commit's ERR; {@code SEED 002} sends 10 rows and
 * stalls forever; {@code SEED LATE} answers OK and, a moment later, a second OK no command asked for; {@code SLOW} never
 * answers (a statement still running, which breaks no rule). Anything else
 * gets an OK; the pool's set-up query its three values. No CLIENT_SESSION_TRACK, no CLIENT_DEPRECATE_EOF.
 */
final class SeedServer extends ScriptedServer {
    static final int ROWS = 100_000;
    static final long CAPABILITIES = Capability.CLIENT_LONG_PASSWORD
            | Capability.CLIENT_FOUND_ROWS
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;

    private final CountDownLatch closed = new CountDownLatch(1);

    SeedServer() {
        super("seed-server");
    }

    @Override
    void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Out out = new Out(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
            byte[] scramble = "0123456789abcdefghij\0".getBytes(StandardCharsets.US_ASCII);
            out.packet(
                    0,
                    b -> new HandshakeV10(
                                    "10.11.99-MariaDB-seeds",
                                    2000 + sockets.size(),
                                    scramble,
                                    CAPABILITIES,
                                    45,
                                    ServerStatus.AUTOCOMMIT,
                                    NativePassword.PLUGIN_NAME)
                            .encode(b));
            out.flush();
            if (readPacket(in) == null) {
                return; // Sluice's greeting probe hangs up here
            }
            out.packet(2, SeedServer::ok);
            out.flush();
            for (byte[] command; (command = readPacket(in)) != null && command.length > 0 && command[0] != 0x01; ) {
                String text =
                        command[0] == 0x03 ? new String(command, 1, command.length - 1, StandardCharsets.UTF_8) : "";
                answer(text, out);
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away
        }
    }

    private void answer(String text, Out out) throws IOException, InterruptedException {
        switch (text) {
            case "SEED 004" ->
                out.packet(
                        1,
                        b -> b.writeBytes(
                                new byte[] {0x00, 0x01, (byte) 0xFD, 0x40, 0x42, 0x0F, 0x00, 0x02, 0x00, 0x00, 0x00}));
            case "SEED 000" -> {
                int seq = header(out, 1);
                for (int i = 1; i <= ROWS; i++) {
                    int row = i;
                    out.packet(seq++, b -> Wire.writeLenencString(b, Integer.toString(row)));
                }
                out.packet(seq + 1, b -> Wire.writeLenencString(b, "skipped one")); // a sequence id skipped
            }
            case "SEED 003" -> {
                int seq = header(out, 1);
                out.packet(seq++, b -> Wire.writeLenencString(b, "1"));
                out.packet(seq++, b -> Wire.writeLenencString(b, "2"));
                out.packet(seq++, SeedServer::eof); // the result ended ...
                out.packet(
                        seq,
                        b -> new ErrPacket(1180, "HY000", "Got error 1 \"Operation not permitted\" during" + " COMMIT")
                                .encode(b, CAPABILITIES)); // ... before the commit failed
            }
            case "SEED 002" -> {
                int seq = header(out, 1);
                for (int i = 0; i < 10; i++) {
                    out.packet(seq++, b -> Wire.writeLenencString(b, "r"));
                }
                out.flush();
                closed.await(); // a write that stalls forever (until the test ends), mid-result
            }
            case "SLOW" -> closed.await(); // a statement still running when the read deadline passes: no answer yet
            case "SEED LATE" -> {
                out.packet(1, SeedServer::ok);
                out.flush();
                Thread.sleep(300);
                out.packet(2, SeedServer::ok); // a second answer nobody asked for (its sequence id continuing)
            }
            case "SELECT @@wait_timeout, @@max_connections, @@max_prepared_stmt_count" -> {
                int seq = 1;
                out.packet(seq++, b -> Wire.writeLenencInt(b, 3));
                for (String name : List.of("@@wait_timeout", "@@max_connections", "@@max_prepared_stmt_count")) {
                    out.packet(seq++, b -> column(b, name));
                }
                out.packet(seq++, SeedServer::eof);
                out.packet(seq++, b -> {
                    Wire.writeLenencString(b, "28800");
                    Wire.writeLenencString(b, "151");
                    Wire.writeLenencString(b, "16382");
                });
                out.packet(seq, SeedServer::eof);
            }
            default -> out.packet(1, SeedServer::ok);
        }
        out.flush();
    }

    /** A one-column result's column count, definition and EOF; returns the next sequence id. */
    private static int header(Out out, int seq) throws IOException {
        out.packet(seq++, b -> Wire.writeLenencInt(b, 1));
        out.packet(seq++, b -> column(b, "v"));
        out.packet(seq++, SeedServer::eof);
        return seq;
    }

    private static void column(ByteBuf b, String name) {
        ColumnDefinition41.of("", "", name, 45, 40, ColumnType.VAR_STRING, 0, 0).encode(b, CAPABILITIES, false);
    }

    private static void ok(ByteBuf b) {
        OkPacket.of(0, 0, ServerStatus.AUTOCOMMIT, 0).encode(b, CAPABILITIES);
    }

    private static void eof(ByteBuf b) {
        b.writeBytes(new byte[] {(byte) 0xFE, 0, 0, (byte) ServerStatus.AUTOCOMMIT, 0});
    }

    /** Packets into a buffered stream; flushed at the end of each answer (or before a stall). */
    private record Out(OutputStream stream) {
        void packet(int seq, Consumer<ByteBuf> encoder) throws IOException {
            ByteBuf payload = Unpooled.buffer();
            try {
                encoder.accept(payload);
                int length = payload.readableBytes();
                stream.write(length);
                stream.write(length >>> 8);
                stream.write(length >>> 16);
                stream.write(seq);
                payload.readBytes(stream, length);
            } finally {
                payload.release();
            }
        }

        void flush() throws IOException {
            stream.flush();
        }
    }

    private static byte[] readPacket(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        byte[] header = new byte[3];
        in.readFully(header);
        int length = first | (header[0] & 0xFF) << 8 | (header[1] & 0xFF) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() {
        closed.countDown();
        super.close();
    }
}
