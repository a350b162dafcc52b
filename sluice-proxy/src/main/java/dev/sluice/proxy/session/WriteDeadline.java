package dev.sluice.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * client-write-timeout without a listener on every write (Netty's IdleStateHandler with observeOutput adds
 * one per write, a measurable cost when every row is a write). The deadline is armed only when a flush
 * leaves bytes the socket did not take; when it expires it looks whether the client took anything since it
 * was armed (the same signs IdleStateHandler uses: the message being written, its progress, the pending
 * total), re-arms if it did, and gives up on the client if it did not. A client that stops reading is
 * therefore cut between one and two deadlines after its last progress; one that reads slowly never is.
 *
 * <p>Runs on the channel's event loop only.
 */
final class WriteDeadline implements Runnable {
    private final Channel channel;
    private final long nanos;
    private final Runnable onExpired;
    private ScheduledFuture<?> task;
    private Object lastCurrent;
    private long lastProgress;
    private long lastPending;

    WriteDeadline(Channel channel, long nanos, Runnable onExpired) {
        this.channel = channel;
        this.nanos = nanos;
        this.onExpired = onExpired;
    }

    /** After a flush: arms the deadline when the socket did not take everything. */
    void afterFlush() {
        if (task == null && pending() > 0) {
            snapshot();
            task = channel.eventLoop().schedule(this, nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void run() {
        task = null;
        if (!channel.isActive() || pending() == 0) {
            return;
        }
        if (progressed()) {
            snapshot();
            task = channel.eventLoop().schedule(this, nanos, TimeUnit.NANOSECONDS);
            return;
        }
        onExpired.run();
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    long pending() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    private void snapshot() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        if (out != null) {
            lastCurrent = out.current();
            lastProgress = out.currentProgress();
            lastPending = out.totalPendingWriteBytes();
        }
    }

    private boolean progressed() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out != null
                && (out.current() != lastCurrent
                        || out.currentProgress() != lastProgress
                        || out.totalPendingWriteBytes() != lastPending);
    }
}
