package dev.sluice.it.pool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP forwarder between Sluice and a server that can cut a connection at a chosen statement: the first chunk
 * from Sluice containing a marker is forwarded (or not), then both sides are closed. Blocking sockets, two
 * threads per connection; tests only.
 */
final class Relay implements AutoCloseable {
    /** A pending cut: the marker to look for, in which direction, and whether its bytes still go through. */
    private record Cut(byte[] marker, boolean fromServer, boolean forwardFirst, boolean stall) {
        Cut(byte[] marker, boolean fromServer, boolean forwardFirst) {
            this(marker, fromServer, forwardFirst, false);
        }
    }

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicReference<Cut> cut = new AtomicReference<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Relay(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "relay-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Cuts the next connection whose client (Sluice) sends {@code marker}; once. */
    void cutAt(String marker, boolean forwardFirst) {
        cut.set(new Cut(marker.getBytes(StandardCharsets.UTF_8), false, forwardFirst));
    }

    /** Cuts the next connection whose server sends {@code marker}, right after forwarding it; once. */
    void cutAfterServerSends(String marker) {
        cut.set(new Cut(marker.getBytes(StandardCharsets.UTF_8), true, true));
    }

    /**
     * The next connection whose client (Sluice) sends {@code marker} stalls from then on: that chunk and all
     * later bytes from Sluice are dropped, nothing is closed (a server that stopped answering); once.
     */
    void stallAt(String marker) {
        cut.set(new Cut(marker.getBytes(StandardCharsets.UTF_8), false, false, true));
    }

    /** Connections relayed and still open (both sockets). */
    int openConnections() {
        return sockets.size() / 2;
    }

    /** Cuts done so far. */
    int cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Socket server;
            try {
                server = new Socket(targetHost, targetPort);
                server.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            AtomicBoolean severed = new AtomicBoolean();
            pump(client, server, false, severed);
            pump(server, client, true, severed);
        }
    }

    /** Copies one direction; once {@code severed} (a cut began), nothing more goes through either way. */
    private void pump(Socket from, Socket to, boolean fromServer, AtomicBoolean severed) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[64 * 1024];
                    byte[] tail = new byte[0]; // the end of the previous chunk, so a marker split across reads is found
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buf)) > 0; ) {
                            Cut pending = cut.get();
                            if (pending != null && pending.fromServer() == fromServer) {
                                byte[] window = concat(tail, buf, n);
                                if (indexOf(window, pending.marker()) >= 0 && cut.compareAndSet(pending, null)) {
                                    cuts.incrementAndGet();
                                    if (pending.stall()) {
                                        while (in.read(buf) > 0) {
                                            // dropped: the server never sees it, the connection stays open
                                        }
                                        break;
                                    }
                                    severed.set(true); // the answer to what is forwarded now never comes back
                                    if (pending.forwardFirst()) {
                                        out.write(buf, 0, n);
                                        out.flush();
                                    }
                                    break;
                                }
                                tail = Arrays.copyOfRange(
                                        window, Math.max(0, window.length - pending.marker().length), window.length);
                            }
                            if (severed.get()) {
                                break;
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the other direction closed it, or the peer went away: close both below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "relay-" + from.getPort() + "-" + to.getPort());
        t.setDaemon(true);
        t.start();
    }

    private static byte[] concat(byte[] tail, byte[] buf, int n) {
        byte[] all = Arrays.copyOf(tail, tail.length + n);
        System.arraycopy(buf, 0, all, tail.length, n);
        return all;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        sockets.forEach(Relay::closeQuietly);
    }
}
