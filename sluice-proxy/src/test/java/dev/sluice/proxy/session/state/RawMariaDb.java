package dev.sluice.proxy.session.state;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client on a plain socket that keeps the server's bytes: the terminal packets (OK, EOF) of each response exactly
 * as MariaDB wrote them, for comparing a direct connection's OKs with a Sluice-style connection's rewritten ones.
 * Logs in with mysql_native_password and collation utf8mb4_general_ci, with the capabilities a test gives.
 */
final class RawMariaDb implements AutoCloseable {
    /** One terminal packet: an OK (header 0x00, or 0xFE under CLIENT_DEPRECATE_EOF) or an EOF. */
    record Terminal(boolean ok, byte[] payload) {
        int status() {
            int at = ok ? skipLenenc(skipLenenc(1)) : 3;
            return (payload[at] & 0xFF) | (payload[at + 1] & 0xFF) << 8;
        }

        private int skipLenenc(int at) {
            int first = payload[at] & 0xFF;
            return at + (first < 0xFB ? 1 : first == 0xFC ? 3 : first == 0xFD ? 4 : 9);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long capabilities;

    private RawMariaDb(Socket socket, long capabilities) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.capabilities = capabilities;
    }

    static RawMariaDb login(String host, int port, String user, String password, String database, long capabilities) {
        try {
            Socket socket = new Socket(host, port);
            socket.setSoTimeout(10_000);
            RawMariaDb c = new RawMariaDb(socket, capabilities | Capability.CLIENT_CONNECT_WITH_DB);
            HandshakeV10 greeting = HandshakeV10.decode(Unpooled.wrappedBuffer(c.read()));
            byte[] auth = NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), greeting.scramble());
            ByteBuf response = Unpooled.buffer();
            new HandshakeResponse41(
                            c.capabilities, 1 << 24, 45, user, auth, database, NativePassword.PLUGIN_NAME, List.of(), 0)
                    .encode(response);
            c.write(1, io.netty.buffer.ByteBufUtil.getBytes(response));
            byte[] answer = c.read();
            if (answer[0] != 0) {
                throw new AssertionError("login as " + user + ": " + new String(answer, StandardCharsets.UTF_8));
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs one COM_QUERY and returns its rows and terminal packets in order (several results for a multi-result);
     * fails on an ERR. Rows come as non-OK entries.
     */
    List<Terminal> query(String sql) {
        send(sql);
        boolean deprecateEof = Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF);
        List<Terminal> terminals = new ArrayList<>();
        while (true) {
            byte[] first = read();
            Terminal end;
            if ((first[0] & 0xFF) == 0xFF) {
                throw new AssertionError(
                        sql + ": ERR " + new String(first, 3, first.length - 3, StandardCharsets.UTF_8));
            } else if (first[0] == 0) {
                end = new Terminal(true, first);
            } else {
                int columns = first[0] & 0xFF; // < 251 columns here
                for (int i = 0; i < columns; i++) {
                    read();
                }
                if (!deprecateEof) {
                    read(); // the EOF after the column definitions
                }
                byte[] p;
                while (!(((p = read())[0] & 0xFF) == 0xFE && p.length < 0xFFFFFF)) {
                    terminals.add(new Terminal(false, p)); // a row, kept for comparing too
                }
                end = new Terminal(deprecateEof, p);
            }
            terminals.add(end);
            if (!ServerStatus.has(end.status(), ServerStatus.MORE_RESULTS_EXISTS)) {
                return terminals;
            }
        }
    }

    /** The single row of a SELECT, as text (null for NULL). */
    List<String> row(String sql) {
        send(sql);
        int columns = read()[0];
        for (int i = 0; i < columns; i++) {
            read();
        }
        if (!Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF)) {
            read();
        }
        ByteBuf row = Unpooled.wrappedBuffer(read());
        List<String> values = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            int length = row.readUnsignedByte();
            if (length == 0xFB) {
                values.add(null);
            } else {
                values.add(row.readCharSequence(length, StandardCharsets.UTF_8).toString());
            }
        }
        read(); // the terminal EOF / OK
        return values;
    }

    private void send(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[text.length + 1];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        write(0, payload);
    }

    private void write(int sequenceId, byte[] payload) {
        byte[] framed = new byte[payload.length + 4];
        framed[0] = (byte) payload.length;
        framed[1] = (byte) (payload.length >>> 8);
        framed[2] = (byte) (payload.length >>> 16);
        framed[3] = (byte) sequenceId;
        System.arraycopy(payload, 0, framed, 4, payload.length);
        try {
            out.write(framed);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] read() {
        try {
            int length = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
            in.readUnsignedByte();
            byte[] payload = new byte[length];
            in.readFully(payload);
            return payload;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
