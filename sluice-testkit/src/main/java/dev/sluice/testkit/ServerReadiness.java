package dev.sluice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits until a freshly started mariadbd greets on its port, without a client library: a server ready for
 * connections sends an Initial Handshake packet whose payload starts with protocol version 10 (0x0a). The listening
 * socket exists before --init-file has run, but the server accepts only after it, so a greeting also means the setup
 * SQL is done.
 */
final class ServerReadiness {
    private static final int PROTOCOL_VERSION_10 = 0x0a;

    private ServerReadiness() {}

    /** Outcome of waiting: greeted, or the process exited first (the caller reads the error log). */
    enum Outcome {
        GREETED,
        EXITED
    }

    static Outcome await(InetAddress host, int port, BooleanSupplier processAlive, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!processAlive.getAsBoolean()) {
                return Outcome.EXITED;
            }
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new SandboxException(
                        "no greeting on " + host.getHostAddress() + ":" + port + " within " + timeout);
            }
            if (greets(host, port, (int) Math.min(remainingMillis, 1_000))) {
                return Outcome.GREETED;
            }
            pause();
        }
    }

    /** One attempt: connect, read the packet header (3-byte length, sequence id) and the first payload byte. */
    private static boolean greets(InetAddress host, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(5);
            return head.length == 5 && (head[4] & 0xff) == PROTOCOL_VERSION_10;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    @SuppressWarnings("BusyWait")
    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for mariadbd", e);
        }
    }
}
