package dev.sluice.proxy.session;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.time.Duration;

/**
 * The client half of a session's output: everything written to the client goes through here, encoded for
 * the capabilities the client negotiated, and is flushed under client-write-timeout ({@link WriteDeadline}).
 * Exchanges write through this and never see the client channel.
 */
final class ClientOutput {
    private final Channel client;
    private final long capabilities;
    private final PacketSequence sequence;
    /** The client channel's encoder: relayed packets go straight into it (see PacketEncoder#writeRelayed). */
    private PacketEncoder encoder;

    private WriteDeadline deadline;
    /** The last write to the client, so a close can wait for it to reach the socket. */
    private ChannelFuture lastWrite;

    ClientOutput(Channel client, long capabilities, PacketSequence sequence) {
        this.client = client;
        this.capabilities = capabilities;
        this.sequence = sequence;
    }

    /** Once the session's handler is in the client pipeline. */
    void start(PacketEncoder encoder, Duration writeTimeout, Runnable onTimeout) {
        this.encoder = encoder;
        this.deadline = new WriteDeadline(client, writeTimeout.toNanos(), onTimeout);
    }

    long capabilities() {
        return capabilities;
    }

    PacketSequence sequence() {
        return sequence;
    }

    ByteBuf allocate() {
        return client.alloc().buffer();
    }

    /** Writes a message Sluice composed itself, encoded for the client's capabilities. */
    void write(ErrPacket err) {
        ByteBuf buf = allocate();
        err.encode(buf, capabilities);
        lastWrite = client.write(buf);
    }

    void write(OkPacket ok) {
        ByteBuf buf = allocate();
        ok.encode(buf, capabilities);
        lastWrite = client.write(buf);
    }

    void write(ByteBuf payload) {
        lastWrite = client.write(payload);
    }

    /**
     * Relays a server payload (lent, see {@link PacketDecoder.Sink}) straight into the client's encoder: no promise
     * (a failed write fails the channel, which ends the session).
     */
    void relay(ByteBuf payload) {
        encoder.writeRelayed(payload);
    }

    /** Flushes what was written and watches that the client takes it. */
    void flush() {
        client.flush();
        deadline.afterFlush();
    }

    boolean isWritable() {
        return client.isWritable();
    }

    /** Bytes flushed that the client has not taken. */
    long pending() {
        return deadline.pending();
    }

    /** Closes the client channel, after the last write reached the socket when {@code flushFirst}. */
    void close(boolean flushFirst) {
        if (flushFirst && lastWrite != null && !lastWrite.isDone()) {
            flush();
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        } else {
            if (flushFirst) {
                client.flush();
            }
            client.close();
        }
    }
}
