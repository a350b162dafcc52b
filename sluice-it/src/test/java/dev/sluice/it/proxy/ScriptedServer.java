package dev.sluice.it.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server on plain loopback sockets for scripted fakes: accepts connections on a thread of its own and serves each
 * on another ({@link #serve}); {@link #close} closes the listener and every connection.
 */
abstract class ScriptedServer implements AutoCloseable {
    private final ServerSocket listener;
    /** Every connection accepted, in order. */
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ScriptedServer(String name) {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> accept(name), name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** One connection, on its own thread; the socket is closed after it. */
    abstract void serve(Socket socket);

    private void accept(String name) {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                sockets.add(socket);
                Thread t = new Thread(() -> serve(socket), name + "-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
