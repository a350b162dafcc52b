package dev.sluice.it.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A test-only TCP relay that forwards every connection to a target and re-splits each chunk it forwards, in
 * both directions, into random pieces (single bytes, small pieces and whole chunks all occur), written one
 * by one with TCP_NODELAY and, now and then, a small delay in between. This is what TCP may legally do to a
 * byte stream, and what seed 000's decoder could not take.
 *
 * <p>Blocking sockets and two threads per connection: a pump reads at most one 64 KiB chunk and does not
 * read again until that chunk was written, so a side that does not drain stops the relay from reading the
 * other side (bounded memory, and backpressure is passed on). EOF is passed on as a half-close.
 *
 * <p>Faults: {@link #cut()} resets every open connection (SO_LINGER 0, RST to both peers); {@link #stall()}
 * stops forwarding until {@link #unstall()}. The seed is printed at start and is in {@link #toString()};
 * the splits of one connection are a function of the seed and the chunks its pumps happened to read.
 */
public final class HostileRelay implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    /**
     * How pieces are drawn: a chunk goes out unsplit with probability {@code whole}; otherwise {@code tiny} of
     * its pieces have 1..3 bytes, {@code small} 4..64 bytes, the rest up to 16 KiB. Before a piece, with
     * probability {@code delay}, the pump parks for 1..{@code maxDelayMicros} microseconds.
     */
    public record Profile(double tiny, double small, double whole, double delay, int maxDelayMicros) {
        public static final Profile DEFAULT = new Profile(0.20, 0.40, 0.10, 0.01, 1000);
        /** Splits only: for checking throughput costs. */
        public static final Profile NO_DELAYS = new Profile(0.20, 0.40, 0.10, 0, 0);
    }

    private final String name;
    private final InetSocketAddress target;
    private final long seed;
    private final Profile profile;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object stallLock = new Object();
    private volatile boolean stalled;
    private volatile boolean closed;

    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong pieces = new AtomicLong();
    private final AtomicLong tinyPieces = new AtomicLong();
    private final AtomicLong wholeChunks = new AtomicLong();
    private final AtomicLong delays = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean tamper = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong tampered = new AtomicLong();

    private HostileRelay(String name, InetSocketAddress target, long seed, Profile profile) throws IOException {
        this.name = name;
        this.target = target;
        this.seed = seed;
        this.profile = profile;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "hostile-relay-" + name + "-accept");
        this.acceptor.setDaemon(true);
    }

    public static HostileRelay start(String name, String targetHost, int targetPort, long seed) {
        return start(name, targetHost, targetPort, seed, Profile.DEFAULT);
    }

    public static HostileRelay start(String name, String targetHost, int targetPort, long seed, Profile profile) {
        try {
            HostileRelay relay = new HostileRelay(name, new InetSocketAddress(targetHost, targetPort), seed, profile);
            relay.acceptor.start();
            System.out.println("HostileRelay " + relay);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return listener.getLocalPort();
    }

    public long seed() {
        return seed;
    }

    /** Connections currently open (both pumps not yet finished). */
    public int openConnections() {
        return (int) links.stream().filter(l -> !l.finished()).count();
    }

    public long bytesForwarded() {
        return bytes.get();
    }

    public long pieces() {
        return pieces.get();
    }

    /** Pieces of 1..3 bytes. */
    public long tinyPieces() {
        return tinyPieces.get();
    }

    /** Chunks of more than 1 KiB that went out in one piece. */
    public long wholeChunks() {
        return wholeChunks.get();
    }

    public long delays() {
        return delays.get();
    }

    /** Counters for logs: bytes, pieces, 1..3-byte pieces, whole chunks, delays. */
    public String stats() {
        return String.format(
                "%d bytes in %d pieces (%d of 1..3 bytes, %d whole chunks), %d delays",
                bytes.get(), pieces.get(), tinyPieces.get(), wholeChunks.get(), delays.get());
    }

    /** Resets every open connection: both peers get an RST, as when a network path dies. */
    public void cut() {
        for (Link link : links) {
            link.reset();
        }
    }

    /** Stops forwarding in both directions (reads already done are held) until {@link #unstall()}. */
    /**
     * Breaks the MySQL framing once: the next packet header going from the target to the accepting side (server
     * to client when the relay is in front of a server) gets its sequence id plus one. The relay follows the
     * 4-byte headers of that direction from the first byte of each connection, so this works on plain-text
     * MySQL connections only.
     */
    public void tamperNextSequenceId() {
        tamper.set(true);
    }

    /** Sequence ids changed so far by {@link #tamperNextSequenceId()}. */
    public long tamperedSequenceIds() {
        return tampered.get();
    }

    public void stall() {
        stalled = true;
    }

    public void unstall() {
        synchronized (stallLock) {
            stalled = false;
            stallLock.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        unstall();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        cut();
    }

    @Override
    public String toString() {
        return name + " 127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort() + " seed="
                + seed + " profile=" + profile;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket downstream;
            try {
                downstream = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            int index = accepted.getAndIncrement();
            Socket upstream = new Socket();
            try {
                downstream.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 5000);
            } catch (IOException e) {
                abort(downstream);
                abort(upstream);
                continue;
            }
            Link link = new Link(downstream, upstream);
            links.add(link);
            // distinct streams per connection and direction, all derived from the one seed
            link.start(
                    new SplittableRandom(seed * 31 + index * 2L),
                    new SplittableRandom(seed * 31 + index * 2L + 1),
                    name + "-" + index);
        }
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Follows MySQL packet headers (int<3> length, int<1> sequence id) through one direction's chunks. */
    private final class Framing {
        private int headerBytes;
        private int length;
        private long payloadLeft;

        void scan(byte[] chunk, int n) {
            int i = 0;
            while (i < n) {
                if (payloadLeft > 0) {
                    int skip = (int) Math.min(payloadLeft, n - i);
                    i += skip;
                    payloadLeft -= skip;
                } else if (headerBytes < 3) {
                    length |= (chunk[i++] & 0xFF) << (8 * headerBytes++);
                } else {
                    if (tamper.compareAndSet(true, false)) {
                        chunk[i] = (byte) (chunk[i] + 1);
                        tampered.incrementAndGet();
                    }
                    i++;
                    payloadLeft = length;
                    length = 0;
                    headerBytes = 0;
                }
            }
        }
    }

    /** One relayed connection: the accepted socket and the one to the target. */
    private final class Link {
        private final Socket downstream;
        private final Socket upstream;
        private final AtomicInteger running = new AtomicInteger(2);

        Link(Socket downstream, Socket upstream) {
            this.downstream = downstream;
            this.upstream = upstream;
        }

        void start(SplittableRandom up, SplittableRandom down, String threadName) {
            Thread a = new Thread(() -> pump(downstream, upstream, up, null), "hostile-relay-" + threadName + "-up");
            Thread b = new Thread(
                    () -> pump(upstream, downstream, down, new Framing()), "hostile-relay-" + threadName + "-down");
            a.setDaemon(true);
            b.setDaemon(true);
            a.start();
            b.start();
        }

        boolean finished() {
            return running.get() == 0;
        }

        void reset() {
            abort(downstream);
            abort(upstream);
        }

        private void pump(Socket from, Socket to, SplittableRandom random, Framing framing) {
            byte[] chunk = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                // a third of the reads take at most 1 KiB, so chunks (and the pieces cut from them) stay small
                // even when the sender is far ahead
                for (int n; (n = in.read(chunk, 0, random.nextInt(3) == 0 ? 1 + random.nextInt(1024) : CHUNK)) > 0; ) {
                    if (framing != null) {
                        framing.scan(chunk, n);
                    }
                    forward(chunk, n, out, random);
                }
                to.shutdownOutput(); // pass the EOF on as a half-close
            } catch (IOException e) {
                // one side failed or was reset: the other side must hear of it at once
                reset();
            } finally {
                if (running.decrementAndGet() == 0) {
                    closeQuietly(from);
                    closeQuietly(to);
                    links.remove(this);
                }
            }
        }

        private void forward(byte[] chunk, int n, OutputStream out, SplittableRandom random) throws IOException {
            int offset = 0;
            while (offset < n) {
                int remaining = n - offset;
                double kind = random.nextDouble();
                int size;
                if (offset == 0 && random.nextDouble() < profile.whole()) {
                    size = n;
                } else if (kind < profile.tiny()) {
                    size = 1 + random.nextInt(3);
                } else if (kind < profile.tiny() + profile.small()) {
                    size = 4 + random.nextInt(61);
                } else {
                    size = 1 + random.nextInt(16 * 1024);
                }
                size = Math.min(size, remaining);
                if (profile.delay() > 0 && random.nextDouble() < profile.delay()) {
                    delays.incrementAndGet();
                    LockSupport.parkNanos(1000L * (1 + random.nextInt(profile.maxDelayMicros())));
                }
                awaitUnstalled();
                out.write(chunk, offset, size);
                offset += size;
                pieces.incrementAndGet();
                bytes.addAndGet(size);
                if (size <= 3) {
                    tinyPieces.incrementAndGet();
                }
                if (size == n && n > 1024) {
                    wholeChunks.incrementAndGet();
                }
            }
        }

        private void awaitUnstalled() throws IOException {
            if (!stalled) {
                return;
            }
            synchronized (stallLock) {
                while (stalled && !closed) {
                    try {
                        stallLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while stalled", e);
                    }
                }
            }
        }

        private void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
