package dev.sluice.it.pool;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server that misbehaves during connection set-up, on blocking sockets: it accepts TCP and never speaks, or
 * sends a valid greeting, reads the login request and never answers it. Connections are held open until
 * {@link #close}.
 */
final class FakeServer implements AutoCloseable {
    enum Behaviour {
        SILENT_AFTER_ACCEPT,
        STALL_AFTER_GREETING
    }

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger loginsRead = new AtomicInteger();

    FakeServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fake-server-" + behaviour);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Login requests read (STALL_AFTER_GREETING): proof the client got as far as authentication. */
    int loginsRead() {
        return loginsRead.get();
    }

    /** A port nothing listens on (bound, then closed at once). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            held.add(s);
            if (behaviour == Behaviour.STALL_AFTER_GREETING) {
                Thread t = new Thread(() -> greetThenStall(s), "fake-server-conn");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private void greetThenStall(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            byte[] pluginData = new byte[21]; // 20-byte scramble + NUL
            for (int i = 0; i < 20; i++) {
                pluginData[i] = (byte) ('a' + i);
            }
            long caps = Capability.CLIENT_LONG_PASSWORD
                    | Capability.CLIENT_CONNECT_WITH_DB
                    | Capability.CLIENT_PROTOCOL_41
                    | Capability.CLIENT_TRANSACTIONS
                    | Capability.CLIENT_SECURE_CONNECTION
                    | Capability.CLIENT_PLUGIN_AUTH
                    | Capability.CLIENT_MULTI_RESULTS
                    | Capability.CLIENT_DEPRECATE_EOF;
            ByteBuf payload = Unpooled.buffer();
            new HandshakeV10(
                            "10.11.0-MariaDB-fake",
                            7,
                            pluginData,
                            caps,
                            45,
                            ServerStatus.AUTOCOMMIT,
                            "mysql_native_password")
                    .encode(payload);
            byte[] packet = new byte[4 + payload.readableBytes()];
            packet[0] = (byte) payload.readableBytes(); // int<3> length (a greeting is < 256 bytes), sequence 0
            payload.readBytes(packet, 4, payload.readableBytes());
            payload.release();
            out.write(packet);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] header = in.readNBytes(4);
            if (header.length == 4) {
                int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
                if (in.readNBytes(length).length == length) {
                    loginsRead.incrementAndGet();
                }
            }
            // then nothing: the login is never answered
        } catch (IOException e) {
            // the client gave up
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
