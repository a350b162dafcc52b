package dev.sluice.app;

import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.Framing;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.frontend.FrontendSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client side of bin/sluice's class-data training run (see {@link RunCommand#TRAINING_PROPERTY}): one connection
 * that reads a whole greeting, so that the classes on the path to a client's first greeting are loaded, and recorded
 * in the archive, before the JVM exits. The run's server is a {@link Greeter}: Sluice greets no client before it has
 * seen a server's greeting.
 */
final class ClassDataTraining {
    private ClassDataTraining() {}

    /**
     * The training run's server: greets every connection as a MariaDB server would, then closes it. Sluice's probe
     * learns the greeting from it, so the training client takes the path of a real greeting, not of a refusal.
     */
    static final class Greeter implements AutoCloseable {
        private final ServerSocket listener;
        private final byte[] greeting;

        private Greeter() throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            byte[] scramble = "training-scramble-20".getBytes(StandardCharsets.US_ASCII);
            byte[] withNul = Arrays.copyOf(scramble, scramble.length + 1);
            ByteBuf payload = Unpooled.buffer();
            new HandshakeV10(
                            "5.5.5-10.11.0-MariaDB-sluice-training",
                            1,
                            withNul,
                            CapabilityPolicy.OFFERED_TO_CLIENTS,
                            FrontendSettings.UTF8MB4_GENERAL_CI,
                            2,
                            NativePassword.PLUGIN_NAME)
                    .encode(payload);
            ByteBuf framed = Framing.encode(payload, 0, UnpooledByteBufAllocator.DEFAULT);
            greeting = ByteBufUtil.getBytes(framed);
            payload.release();
            framed.release();
            Thread t = new Thread(this::serve, "sluice-cds-greeter");
            t.setDaemon(true);
            t.start();
        }

        static Greeter start() throws IOException {
            return new Greeter();
        }

        /** HOST:PORT, as --backend takes it. */
        String address() {
            return "127.0.0.1:" + listener.getLocalPort();
        }

        private void serve() {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    s.getOutputStream().write(greeting);
                } catch (IOException e) {
                    // closed, or a peer gone: the next one gets its greeting
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** Connects, reads one packet (the greeting), closes; returns what happened, for the log. */
    static String greetOnce(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 10_000);
            s.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] header = new byte[4];
            in.readFully(header);
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            in.readFully(new byte[length]);
            return "read a " + length + "-byte greeting";
        } catch (IOException e) {
            return "no greeting: " + e;
        }
    }
}
