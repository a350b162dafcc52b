package dev.sluice.protocol.golden;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test tool (not a test): records one client connection's command phase through a TCP relay, for golden
 * files under src/test/resources/golden/command. Usage:
 *
 * <pre>
 *   java ... CommandRecorder &lt;listenPort&gt; &lt;serverPort&gt; &lt;out.hex&gt; "&lt;title&gt;"
 *   mariadb -h127.0.0.1 -P&lt;listenPort&gt; -uroot --skip-ssl -e '...'
 * </pre>
 *
 * It accepts one connection, relays it to 127.0.0.1:serverPort, splits both directions into packets (no
 * 16 MiB payloads expected in captures), skips the connection phase (greeting, login, auth switch) and
 * writes: "# title", "# capabilities 0x..." (greeting AND handshake response, MariaDB extended bits in the
 * high 32), then one line per payload: "C hex" for a client command (sequence id 0), "S hex" for the
 * server's packets that follow it.
 */
public final class CommandRecorder {
    private final List<String> lines = new ArrayList<>();
    private long serverCaps;
    private long clientCaps;
    private boolean commandPhase;
    private int serverPackets;

    public static void main(String[] args) throws Exception {
        int listen = Integer.parseInt(args[0]);
        int server = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        CommandRecorder r = new CommandRecorder();
        try (ServerSocket ss = new ServerSocket(listen, 1, InetAddress.getLoopbackAddress());
                Socket client = ss.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), server)) {
            Thread up = new Thread(() -> r.pump(client, upstream, true));
            Thread down = new Thread(() -> r.pump(upstream, client, false));
            up.start();
            down.start();
            up.join();
            down.join();
        }
        List<String> file = new ArrayList<>();
        file.add("# " + args[3]);
        file.add("# capabilities 0x" + Long.toHexString(r.serverCaps & r.clientCaps));
        file.addAll(r.lines);
        Files.write(out, file, StandardCharsets.US_ASCII);
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        try (InputStream in = from.getInputStream();
                OutputStream os = to.getOutputStream()) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (this) {
                    pending.write(buf, 0, n);
                    byte[] all = pending.toByteArray();
                    int pos = 0;
                    while (all.length - pos >= 4) {
                        int len = (all[pos] & 0xFF) | (all[pos + 1] & 0xFF) << 8 | (all[pos + 2] & 0xFF) << 16;
                        if (all.length - pos - 4 < len) {
                            break;
                        }
                        byte[] payload = new byte[len];
                        System.arraycopy(all, pos + 4, payload, 0, len);
                        packet(fromClient, all[pos + 3] & 0xFF, payload);
                        pos += 4 + len;
                    }
                    pending.reset();
                    pending.write(all, pos, all.length - pos);
                }
                os.write(buf, 0, n);
                os.flush();
            }
        } catch (IOException e) {
            // one side closed: close the other
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private void packet(boolean fromClient, int seq, byte[] p) {
        if (!fromClient && serverPackets++ == 0) {
            serverCaps = greetingCaps(p);
            return;
        }
        if (fromClient && clientCaps == 0) {
            long low = le(p, 0, 4);
            clientCaps = low | ((low & 1) == 0 ? le(p, 28, 4) << 32 : 0);
            return;
        }
        if (fromClient && seq == 0) {
            commandPhase = true;
        }
        if (commandPhase) {
            lines.add((fromClient ? "C " : "S ") + HexFormat.of().formatHex(p));
        }
    }

    /** HandshakeV10: version, server version NUL, thread id, scramble 8, filler, caps low 2, charset,
     *  status 2, caps high 2, auth data length, 6 reserved, MariaDB extended caps 4. */
    private static long greetingCaps(byte[] p) {
        int i = 1;
        while (p[i] != 0) {
            i++;
        }
        i += 1 + 4 + 8 + 1;
        long low = le(p, i, 2);
        long high = le(p, i + 5, 2);
        long caps = low | high << 16;
        long ext = (caps & 1) == 0 ? le(p, i + 14, 4) : 0;
        return caps | ext << 32;
    }

    private static long le(byte[] p, int at, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) {
            v = v << 8 | (p[at + k] & 0xFF);
        }
        return v;
    }
}
