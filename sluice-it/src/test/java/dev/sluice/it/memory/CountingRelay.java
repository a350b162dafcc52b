package dev.sluice.it.memory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP relay placed between Sluice and the server that counts the bytes it has handed to Sluice. The
 * socket towards Sluice gets a small send buffer, so the count is close to what Sluice's socket has accepted:
 * when Sluice stops reading (backpressure), the count stops growing.
 */
final class CountingRelay implements AutoCloseable {
    /** Small, so that little hides in the relay's own kernel buffer; the kernel doubles it. */
    static final int SEND_BUFFER = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final AtomicLong toDownstream = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    CountingRelay(String upstreamHost, int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Bytes written towards the downstream side (the server's output handed to Sluice) so far. */
    long bytesToDownstream() {
        return toDownstream.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket down = listener.accept();
                down.setSendBufferSize(SEND_BUFFER);
                down.setTcpNoDelay(true);
                Socket up = new Socket();
                up.setTcpNoDelay(true);
                up.connect(upstream, 5000);
                sockets.add(down);
                sockets.add(up);
                pump(down, up, null, "relay-up");
                pump(up, down, toDownstream, "relay-down");
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    throw new IllegalStateException("relay accept failed: " + e.getMessage(), e);
                }
            }
        }
    }

    private static void pump(Socket from, Socket to, AtomicLong counter, String name) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buf)) >= 0; ) {
                            out.write(buf, 0, n);
                            if (counter != null) {
                                counter.addAndGet(n);
                            }
                        }
                    } catch (IOException e) {
                        // one side closed: the finally below closes the other
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
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
        listener.close();
        sockets.forEach(CountingRelay::closeQuietly);
    }
}
