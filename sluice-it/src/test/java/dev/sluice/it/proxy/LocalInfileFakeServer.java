package dev.sluice.it.proxy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.LocalInfileRequest;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hostile server on plain sockets, speaking real bytes: it greets, accepts any login, and answers every
 * COM_QUERY with a LOCAL INFILE request (0xFB) for {@link #file}, whatever the statement asked; after the
 * client's data (which ends with an empty packet) it answers OK. COM_PING gets OK, COM_QUIT or EOF ends the
 * connection. Everything received after the login is kept byte for byte, headers included, so a test can show
 * which bytes left Sluice (e.g. that no file content did).
 */
final class LocalInfileFakeServer extends ScriptedServer {
    static final String VERSION = "10.11.99-MariaDB-hostile";
    private static final long CAPABILITIES = Capability.CLIENT_LONG_PASSWORD
            | Capability.CLIENT_FOUND_ROWS
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_LOCAL_FILES
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_DEPRECATE_EOF;

    private final String file;
    /** The statement was the first of a multi-statement text: its OK says more results follow, then a result set. */
    private final boolean moreResults;

    /** Per logged-in connection, the raw bytes received after the login (the connection's last entry grows). */
    private final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();

    LocalInfileFakeServer(String file) {
        this(file, false);
    }

    /**
     * With {@code moreResults}, for a statement text with a {@code ;} the OK after the file has
     * SERVER_MORE_RESULTS_EXISTS and a result set follows (one column, one row {@code '1'}), as a server answers
     * {@code LOAD DATA LOCAL ...; SELECT 1}.
     */
    LocalInfileFakeServer(String file, boolean moreResults) {
        super("hostile-server");
        this.file = file;
        this.moreResults = moreResults;
    }

    /** The bytes each logged-in connection sent after its login, in order of connection. */
    List<byte[]> commandPhaseBytes() {
        return received.stream()
                .map(b -> {
                    synchronized (b) {
                        return b.toByteArray();
                    }
                })
                .toList();
    }

    @Override
    void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] scramble = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
            byte[] data = new byte[21];
            System.arraycopy(scramble, 0, data, 0, 20);
            HandshakeV10 greeting = new HandshakeV10(
                    VERSION,
                    1000 + sockets.size(),
                    data,
                    CAPABILITIES,
                    45,
                    ServerStatus.AUTOCOMMIT,
                    NativePassword.PLUGIN_NAME);
            write(out, 0, greeting::encode);
            byte[] login = readPacket(in, null); // any login is fine
            if (login == null) {
                return; // Sluice's greeting probe hangs up here
            }
            write(out, 2, LocalInfileFakeServer::encodeOk);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            received.add(log);
            for (; ; ) {
                byte[] command = readPacket(in, log);
                if (command == null || command.length == 0 || command[0] == 0x01) {
                    return; // EOF or COM_QUIT
                }
                if (command[0] == 0x03) {
                    write(out, 1, new LocalInfileRequest(file)::encode);
                    int seq = 2;
                    for (byte[] chunk; (chunk = readPacket(in, log)) != null && chunk.length > 0; ) {
                        seq++;
                    }
                    if (moreResults && new String(command, StandardCharsets.UTF_8).contains(";")) {
                        writeMoreResults(out, seq + 1);
                    } else {
                        write(out, (seq + 1) & 0xFF, LocalInfileFakeServer::encodeOk);
                    }
                } else {
                    write(out, 1, LocalInfileFakeServer::encodeOk);
                }
            }
        } catch (IOException e) {
            // the peer went away
        }
    }

    /** OK with MORE_RESULTS_EXISTS, then a result set of one column and one row (DEPRECATE_EOF: no EOFs). */
    private static void writeMoreResults(OutputStream out, int seq) throws IOException {
        write(
                out,
                seq++ & 0xFF,
                b -> OkPacket.of(0, 0, ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS, 0)
                        .encode(b, CAPABILITIES));
        write(out, seq++ & 0xFF, b -> b.writeByte(1));
        write(
                out,
                seq++ & 0xFF,
                b -> new ColumnDefinition41(
                                "def", "", "", "", "1", "", new byte[0], 63, 1, ColumnType.LONGLONG, 0x81, 0, null)
                        .encode(b, CAPABILITIES, false));
        write(out, seq++ & 0xFF, b -> b.writeBytes(new byte[] {1, '1'}));
        write(
                out,
                seq & 0xFF,
                b -> new OkPacket(OkPacket.HEADER_EOF, 0, 0, ServerStatus.AUTOCOMMIT, 0, "", List.of())
                        .encode(b, CAPABILITIES));
    }

    private static void encodeOk(ByteBuf buf) {
        OkPacket.of(0, 0, ServerStatus.AUTOCOMMIT, 0).encode(buf, CAPABILITIES);
    }

    private interface Encoder {
        void encode(ByteBuf buf);
    }

    private static void write(OutputStream out, int seq, Encoder encoder) throws IOException {
        ByteBuf payload = Unpooled.buffer();
        try {
            encoder.encode(payload);
            int length = payload.readableBytes();
            byte[] packet = new byte[4 + length];
            packet[0] = (byte) length;
            packet[1] = (byte) (length >>> 8);
            packet[2] = (byte) (length >>> 16);
            packet[3] = (byte) seq;
            payload.readBytes(packet, 4, length);
            out.write(packet);
            out.flush();
        } finally {
            payload.release();
        }
    }

    /** One physical packet's payload, or null at EOF; its raw bytes are appended to {@code log} when given. */
    private static byte[] readPacket(DataInputStream in, ByteArrayOutputStream log) throws IOException {
        byte[] header = new byte[4];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        in.readFully(header, 1, 3);
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (log != null) {
            synchronized (log) {
                log.write(header);
                log.write(payload);
            }
        }
        return payload;
    }
}
