package dev.sluice.protocol.golden;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.AuthSwitchResponse;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Records the golden captures in {@code src/test/resources/golden/connection/mariadb-*.hex} by logging in
 * to a real server as a raw socket client, using this module's own encoders for what the client sends.
 * Not a test; run by hand against a throwaway server (see the README there):
 *
 * <pre>
 * CREATE USER 'sluice'@'%' IDENTIFIED BY 'secret'; CREATE DATABASE golden;
 * java -cp target/classes:target/test-classes:$(netty jars) dev.sluice.protocol.golden.Recorder \
 *     127.0.0.1 PORT src/test/resources/golden/connection
 * </pre>
 *
 * Each file holds whole framed packets of one conversation in order, each preceded by a comment naming
 * its direction and message, so one {@code PacketDecoder} can read the file with continuous sequence ids.
 */
public final class Recorder {
    static final long CLIENT_CAPS = Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK
            | Capability.CLIENT_DEPRECATE_EOF
            | Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS;
    static final List<HandshakeResponse41.Attribute> ATTRS = List.of(
            new HandshakeResponse41.Attribute("_client_name", "sluice-recorder"),
            new HandshakeResponse41.Attribute("_os", "Linux"));

    private final DataInputStream in;
    private final OutputStream out;
    private final PrintWriter file;
    private int sequence;

    private Recorder(Socket socket, PrintWriter file) throws IOException {
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.file = file;
    }

    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        login(host, port, dir.resolve("mariadb-native-login.hex"), "secret", NativePassword.PLUGIN_NAME);
        login(host, port, dir.resolve("mariadb-bad-password.hex"), "wrong", NativePassword.PLUGIN_NAME);
        // Announcing another plugin than the user's makes the server send an AuthSwitchRequest.
        login(host, port, dir.resolve("mariadb-auth-switch.hex"), "secret", "client_ed25519");
    }

    private static void login(String host, int port, Path path, String password, String plugin) throws IOException {
        try (Socket socket = new Socket(host, port);
                PrintWriter file = new PrintWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8))) {
            file.println(
                    "# Recorded by dev.sluice.protocol.golden.Recorder from a MariaDB 10.11 server: user 'sluice',");
            file.println("# password '" + password + "', plugin announced '" + plugin + "'. Framed packets in order.");
            Recorder r = new Recorder(socket, file);
            byte[] greetingPayload = r.receive("server -> client: HandshakeV10");
            HandshakeV10 greeting = HandshakeV10.decode(Unpooled.wrappedBuffer(greetingPayload));
            byte[] pw = password.getBytes(StandardCharsets.UTF_8);
            byte[] auth = plugin.equals(NativePassword.PLUGIN_NAME)
                    ? NativePassword.scramble(pw, greeting.scramble())
                    : new byte[32];
            HandshakeResponse41 response =
                    new HandshakeResponse41(CLIENT_CAPS, 1 << 24, 45, "sluice", auth, "golden", plugin, ATTRS, 0);
            ByteBuf payload = Unpooled.buffer();
            response.encode(payload);
            r.send("client -> server: HandshakeResponse41", payload);
            byte[] reply = r.receive("server -> client: reply");
            if ((reply[0] & 0xFF) == AuthSwitchRequest.HEADER) {
                AuthSwitchRequest sw = AuthSwitchRequest.decode(Unpooled.wrappedBuffer(reply));
                ByteBuf swPayload = Unpooled.buffer();
                new AuthSwitchResponse(NativePassword.scramble(pw, sw.scramble())).encode(swPayload);
                r.send("client -> server: AuthSwitchResponse", swPayload);
                r.receive("server -> client: reply");
            }
        }
    }

    private byte[] receive(String comment) throws IOException {
        byte[] header = new byte[Framing.HEADER_SIZE];
        in.readFully(header);
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        sequence = ((header[3] & 0xFF) + 1) & 0xFF;
        file.println("# " + comment + " (seq " + (header[3] & 0xFF) + ", " + length + " bytes)");
        writeHex(header);
        writeHex(payload);
        return payload;
    }

    private void send(String comment, ByteBuf payload) throws IOException {
        ByteBuf framed = Framing.encode(payload, sequence, ByteBufAllocator.DEFAULT);
        byte[] bytes = ByteBufUtil.getBytes(framed);
        framed.release();
        file.println("# " + comment + " (seq " + sequence + ", " + payload.readableBytes() + " bytes)");
        writeHex(bytes);
        out.write(bytes);
        out.flush();
        sequence = (sequence + 1) & 0xFF;
    }

    private void writeHex(byte[] bytes) {
        for (int i = 0; i < bytes.length; i += 16) {
            StringBuilder line = new StringBuilder();
            for (int j = i; j < Math.min(bytes.length, i + 16); j++) {
                line.append(String.format("%02x ", bytes[j] & 0xFF));
            }
            file.println(line.toString().trim());
        }
    }
}
