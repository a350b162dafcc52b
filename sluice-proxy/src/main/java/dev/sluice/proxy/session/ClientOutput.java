package dev.sluice.proxy.session;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.stats.StatementStats;
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

    private StatementObserver observer;
    private StatementStats stats;
    /** Bytes from and to the client since the last flush (added to {@link #stats} there). */
    private long bytesIn;

    private long bytesOut;

    ClientOutput(Channel client, long capabilities, PacketSequence sequence) {
        this.client = client;
        this.capabilities = capabilities;
        this.sequence = sequence;
    }

    /** Counts what goes through here in {@code stats}, and ERRs Sluice writes as {@code observer}'s command's. */
    void observe(StatementObserver o, StatementStats s) {
        this.observer = o;
        this.stats = s;
    }

    StatementObserver observer() {
        return observer;
    }

    /** A packet of {@code payloadBytes} came from the client. */
    void received(int payloadBytes) {
        bytesIn += payloadBytes + 4;
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
        if (observer != null) {
            observer.error(err.errorCode(), StatementStats.Origin.SLUICE);
        }
        write(buf);
    }

    void write(OkPacket ok) {
        ByteBuf buf = allocate();
        ok.encode(buf, capabilities);
        write(buf);
    }

    void write(ByteBuf payload) {
        bytesOut += payload.readableBytes() + 4;
        lastWrite = client.write(payload);
    }

    /**
     * Relays a server payload (lent, see {@link PacketDecoder.Sink}) straight into the client's encoder: no promise
     * (a failed write fails the channel, which ends the session).
     */
    void relay(ByteBuf payload) {
        bytesOut += payload.readableBytes() + 4;
        encoder.writeRelayed(payload);
    }

    /** Flushes what was written and watches that the client takes it. */
    void flush() {
        if (stats != null && (bytesIn | bytesOut) != 0) {
            stats.bytes(bytesIn, bytesOut);
            bytesIn = 0;
            bytesOut = 0;
        }
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
