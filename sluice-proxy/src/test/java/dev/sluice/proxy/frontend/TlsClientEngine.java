package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.frontend.HandshakeHarness.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The client end of TLS, driven by hand against a {@link HandshakeHarness}, so a test controls exactly which
 * bytes arrive in which read (an SSLRequest and the ClientHello in one write, or split anywhere).
 */
final class TlsClientEngine {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private final SSLEngine engine;
    private ByteBuffer netIn = ByteBuffer.allocate(0);
    private final ByteBuf plain = Unpooled.buffer();

    TlsClientEngine() throws SSLException {
        engine = SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build()
                .newEngine(ByteBufAllocator.DEFAULT);
        engine.beginHandshake();
    }

    /** Everything the engine wants to send now (the ClientHello first, later the client's Finished). */
    byte[] produce() throws SSLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (; ; ) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            if (hs != HandshakeStatus.NEED_WRAP) {
                return out.toByteArray();
            }
            ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            SSLEngineResult r = engine.wrap(EMPTY, dst);
            out.write(dst.array(), 0, dst.position());
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                return out.toByteArray();
            }
        }
    }

    /** Feeds bytes from the server; decrypted application data accumulates for {@link #nextFrame()}. */
    void consume(byte[] fromServer) throws SSLException {
        ByteBuffer joined = ByteBuffer.allocate(netIn.remaining() + fromServer.length);
        joined.put(netIn).put(fromServer).flip();
        netIn = joined;
        for (; ; ) {
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            if (!netIn.hasRemaining()) {
                return;
            }
            ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            SSLEngineResult r = engine.unwrap(netIn, dst);
            dst.flip();
            plain.writeBytes(dst);
            if (r.getStatus() != SSLEngineResult.Status.OK || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                return;
            }
        }
    }

    boolean handshaking() {
        HandshakeStatus hs = engine.getHandshakeStatus();
        return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
    }

    /** Exchanges flights with the server until the client side of the handshake is done. */
    void finishHandshake(HandshakeHarness h) throws SSLException {
        for (int round = 0; round < 20 && handshaking(); round++) {
            consume(h.drainRaw());
            byte[] out = produce();
            if (out.length > 0) {
                h.channel.writeInbound(Unpooled.wrappedBuffer(out));
            }
        }
        assertThat(handshaking()).as("TLS handshake finished").isFalse();
    }

    /** Encrypts application bytes into TLS records. */
    byte[] seal(ByteBuf app) throws SSLException {
        ByteBuffer src = app.nioBuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (src.hasRemaining()) {
            ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(src, dst);
            out.write(dst.array(), 0, dst.position());
        }
        app.release();
        return out.toByteArray();
    }

    void sendFrame(HandshakeHarness h, ByteBuf framed) throws SSLException {
        h.channel.writeInbound(Unpooled.wrappedBuffer(seal(framed)));
    }

    /** The next decrypted packet from the server. */
    Frame nextFrame(HandshakeHarness h) throws SSLException {
        consume(h.drainRaw());
        assertThat(plain.readableBytes()).as("decrypted packet header").isGreaterThanOrEqualTo(4);
        int length = plain.readUnsignedMediumLE();
        int seq = plain.readUnsignedByte();
        byte[] payload = new byte[length];
        plain.readBytes(payload);
        return new Frame(seq, payload);
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    void close() {
        plain.release();
    }
}
