package dev.sluice.it.proxy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client on a plain socket that writes exactly the bytes a test gives it: for input no real driver sends.
 * Packets are read with a 10 s socket timeout, so a silent peer fails the test instead of hanging it. It logs
 * in with mysql_native_password and speaks the text protocol without CLIENT_DEPRECATE_EOF (result sets end
 * with EOF packets), enough to check that a session still works.
 */
public final class RawClient implements AutoCloseable {
    static final long CAPABILITIES = Capability.CLIENT_LONG_PASSWORD
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_CONNECT_WITH_DB;

    /** One physical packet as read. */
    public record RawPacket(int sequenceId, byte[] payload) {
        int first() {
            return payload.length == 0 ? -1 : payload[0] & 0xFF;
        }

        boolean isErr() {
            return first() == ErrPacket.HEADER;
        }

        public ErrPacket err() {
            ByteBuf buf = Unpooled.wrappedBuffer(payload);
            return ErrPacket.decode(buf, Capability.CLIENT_PROTOCOL_41);
        }

        boolean isEof() {
            return first() == 0xFE && payload.length < 9;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawClient connect(int port) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            return new RawClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** Connects and logs in; the session is then in its command phase. */
    public static RawClient login(int port, String user, String password, String database) {
        return login(port, user, password, database, CAPABILITIES);
    }

    /** Logs in announcing {@code capabilities} (e.g. {@link #CAPABILITIES} plus CLIENT_LOCAL_FILES). */
    static RawClient login(int port, String user, String password, String database, long capabilities) {
        RawClient client = connect(port);
        HandshakeV10 greeting = client.greeting();
        client.writePacket(1, client.handshakeResponse(greeting, user, password, database, capabilities));
        RawPacket answer = client.read();
        if (answer.first() != 0x00) {
            throw new AssertionError("login as " + user + ": expected OK, got "
                    + (answer.isErr() ? answer.err() : "0x" + Integer.toHexString(answer.first())));
        }
        return client;
    }

    HandshakeV10 greeting() {
        RawPacket p = read();
        return HandshakeV10.decode(Unpooled.wrappedBuffer(p.payload()));
    }

    byte[] handshakeResponse(HandshakeV10 greeting, String user, String password, String database, long capabilities) {
        byte[] auth = NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), greeting.scramble());
        HandshakeResponse41 response = new HandshakeResponse41(
                capabilities, 1 << 24, 45, user, auth, database, NativePassword.PLUGIN_NAME, List.of(), 0);
        ByteBuf buf = Unpooled.buffer();
        response.encode(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    /** Writes one packet (payloads below 16 MiB) with the given sequence id. */
    public void writePacket(int sequenceId, byte[] payload) {
        if (payload.length >= Framing.MAX_CHUNK) {
            throw new IllegalArgumentException("payload: " + payload.length + " bytes (expected: < 0xFFFFFF)");
        }
        byte[] framed = new byte[payload.length + Framing.HEADER_SIZE];
        framed[0] = (byte) payload.length;
        framed[1] = (byte) (payload.length >>> 8);
        framed[2] = (byte) (payload.length >>> 16);
        framed[3] = (byte) sequenceId;
        System.arraycopy(payload, 0, framed, Framing.HEADER_SIZE, payload.length);
        writeRaw(framed);
    }

    void writeRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write to Sluice", e);
        }
    }

    public RawPacket read() {
        try {
            int b0 = in.readUnsignedByte();
            int length = b0 | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
            int seq = in.readUnsignedByte();
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new RawPacket(seq, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no packet from Sluice within 10 s", e);
        } catch (IOException e) {
            throw new UncheckedIOException("read from Sluice", e);
        }
    }

    /** True when the peer closed the connection (EOF or reset) before sending anything more. */
    boolean closedByPeer() {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError(
                        "expected the connection to be closed, got a byte 0x" + Integer.toHexString(b));
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a COM_QUERY and returns the text rows' values (null for NULL), or throws with the ERR. */
    List<List<String>> query(String sql) {
        sendQuery(sql);
        return readTextResult();
    }

    /** Sends a COM_QUERY (sequence id 0) without reading the answer. */
    void sendQuery(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[text.length + 1];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        writePacket(0, payload);
    }

    List<List<String>> readTextResult() {
        RawPacket first = read();
        if (first.isErr()) {
            throw new AssertionError("ERR: " + first.err());
        }
        List<List<String>> rows = new ArrayList<>();
        if (first.first() == 0x00) {
            return rows;
        }
        int columns = first.first(); // < 251 columns in these tests
        for (int i = 0; i < columns; i++) {
            read();
        }
        if (!read().isEof()) {
            throw new AssertionError("expected EOF after the column definitions");
        }
        for (RawPacket p; !(p = read()).isEof(); ) {
            if (p.isErr()) {
                throw new AssertionError("ERR in rows: " + p.err());
            }
            rows.add(textRow(p.payload(), columns));
        }
        return rows;
    }

    private static List<String> textRow(byte[] payload, int columns) {
        List<String> values = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < columns; i++) {
            int len = payload[at++] & 0xFF;
            if (len == 0xFB) {
                values.add(null);
                continue;
            }
            if (len >= 0xFC) {
                throw new AssertionError("long values are not expected in these tests");
            }
            values.add(new String(payload, at, len, StandardCharsets.UTF_8));
            at += len;
        }
        return values;
    }

    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing twice or after a reset is fine
        }
    }
}
