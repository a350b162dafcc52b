package dev.sluice.it.prepared;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A TCP relay to a server that keeps every byte its clients send, to read what a driver really puts on the wire
 * (MariaDB Connector/J's COM_STMT_BULK_EXECUTE). Blocking sockets, a thread per direction; tests only.
 */
final class RecordingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();

    RecordingRelay(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "recording-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                Socket server = new Socket(host, port);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                pump(client, server, true);
                pump(server, client, false);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to, boolean record) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (record) {
                        synchronized (fromClients) {
                            fromClients.write(buf, 0, n);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** The payloads of the packets clients sent so far (from one connection: framing is read from the start). */
    List<byte[]> clientPayloads() {
        byte[] all;
        synchronized (fromClients) {
            all = fromClients.toByteArray();
        }
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at + 4 <= all.length) {
            int length = (all[at] & 0xFF) | (all[at + 1] & 0xFF) << 8 | (all[at + 2] & 0xFF) << 16;
            if (at + 4 + length > all.length) {
                break;
            }
            out.add(Arrays.copyOfRange(all, at + 4, at + 4 + length));
            at += 4 + length;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
