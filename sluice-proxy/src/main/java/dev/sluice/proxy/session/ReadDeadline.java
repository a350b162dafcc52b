package dev.sluice.proxy.session;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * server-read-timeout: the server must send something within the limit of the command being forwarded and of each
 * of its reads while a response is awaited. Counting from the command (not from the previous response, as an
 * idle-state timer on the channel would) means a client pausing between statements never shortens the server's
 * time to answer. One timer per session, re-armed lazily: activity only records a time stamp.
 *
 * <p>Runs on the server channel's event loop only.
 */
final class ReadDeadline implements Runnable {
    private final EventLoop loop;
    private final long nanos;
    /** Called when the limit passed without activity: true to keep watching (nothing awaited was overdue). */
    private final BooleanSupplier onSilence;

    private ScheduledFuture<?> task;
    private long lastActivity;

    ReadDeadline(EventLoop loop, long nanos, BooleanSupplier onSilence) {
        this.loop = loop;
        this.nanos = nanos;
        this.onSilence = onSilence;
    }

    /** A command went to the server: the limit starts now. */
    void commandSent() {
        lastActivity = System.nanoTime();
        if (task == null) {
            task = loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The server sent something. */
    void serverRead() {
        lastActivity = System.nanoTime();
    }

    @Override
    public void run() {
        task = null;
        long silent = System.nanoTime() - lastActivity;
        if (silent < nanos) {
            task = loop.schedule(this, nanos - silent, TimeUnit.NANOSECONDS);
        } else if (onSilence.getAsBoolean()) {
            lastActivity = System.nanoTime();
            task = loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
        }
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
