package dev.sluice.testkit;

import java.io.DataInputStream;
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
 * A peer on the path between a MySQL client and a server, for TLS tests: a TCP forwarder listening on an
 * address of its own (e.g. 127.0.0.2, so that a certificate made for 127.0.0.1 does not name it), that either
 * passes every byte through or, like an attacker downgrading the link, clears CLIENT_SSL in the server's greeting.
 * Blocking sockets, two threads per connection; tests only.
 */
public final class PathRelay implements AutoCloseable {
    /** CLIENT_SSL, bit 11 of the capability flags: bit 3 of the greeting's second capability byte. */
    private static final int CLIENT_SSL_HIGH_BYTE_BIT = 0x08;

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final boolean stripSsl;
    private final AtomicInteger greetingsStripped = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PathRelay(String listenHost, String targetHost, int targetPort, boolean stripSsl) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.stripSsl = stripSsl;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName(listenHost));
        Thread acceptor = new Thread(this::acceptLoop, "path-relay-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards every byte unchanged; clients connect to {@code listenHost}:{@link #port()}. */
    public static PathRelay forwarding(String listenHost, String targetHost, int targetPort) throws IOException {
        return new PathRelay(listenHost, targetHost, targetPort, false);
    }

    /** Clears CLIENT_SSL in each server greeting, then forwards everything else unchanged. */
    public static PathRelay strippingSsl(String listenHost, String targetHost, int targetPort) throws IOException {
        return new PathRelay(listenHost, targetHost, targetPort, true);
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    /** Greetings that offered TLS and were forwarded without it. */
    public int greetingsStripped() {
        return greetingsStripped.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                start(
                        () -> {
                            if (stripSsl) {
                                forwardGreeting(server.getInputStream(), client.getOutputStream());
                            }
                            pump(server.getInputStream(), client.getOutputStream());
                        },
                        client,
                        server);
                start(() -> pump(client.getInputStream(), server.getOutputStream()), client, server);
            } catch (IOException e) {
                if (!closed) {
                    continue; // a target that refused one connection; the client sees its socket closed
                }
            }
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private void start(Io io, Socket a, Socket b) {
        Thread t = new Thread(
                () -> {
                    try {
                        io.run();
                    } catch (IOException e) {
                        // the other side went away: close both below
                    } finally {
                        closeQuietly(a);
                        closeQuietly(b);
                    }
                },
                "path-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Reads the greeting packet whole (header, then payload), clears CLIENT_SSL, forwards it. */
    private void forwardGreeting(InputStream in, OutputStream out) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[4];
        data.readFully(header);
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        byte[] payload = new byte[length];
        data.readFully(payload);
        if (payload.length > 0 && payload[0] == 10) {
            int nul = 1;
            while (nul < payload.length && payload[nul] != 0) {
                nul++;
            }
            // version NUL, thread id (4), scramble part 1 (8), filler (1), capabilities low 2 bytes
            int highCapabilityByte = nul + 1 + 4 + 8 + 1 + 1;
            if (highCapabilityByte < payload.length && (payload[highCapabilityByte] & CLIENT_SSL_HIGH_BYTE_BIT) != 0) {
                payload[highCapabilityByte] &= (byte) ~CLIENT_SSL_HIGH_BYTE_BIT;
                greetingsStripped.incrementAndGet();
            }
        }
        out.write(header);
        out.write(payload);
        out.flush();
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(PathRelay::closeQuietly);
    }
}
