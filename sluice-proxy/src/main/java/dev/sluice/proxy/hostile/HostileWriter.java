package dev.sluice.proxy.hostile;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Between a hostile connection's packet encoder and its socket: every byte written to the client passes here, in
 * order, framed and in plain text. Writes wait in a {@link PendingWriteQueue} (which counts them against the
 * channel's writability, so Sluice's backpressure still holds) and leave in pieces the {@link Plan} sizes: one byte,
 * random small sizes, large held pieces, or exactly one header or payload at a time, each piece its own write and
 * flush once the socket has taken the piece before (so each is a send of its own), after the plan's delay. A write's promise completes with the piece that carries its last byte. A close
 * waits until the queue is empty; a reset (SO_LINGER 0, RST) comes once everything before it was written.
 */
final class HostileWriter extends ChannelOutboundHandlerAdapter {
    /** How long coalesce holds bytes for a piece that is not full yet. */
    private static final long HOLD_MILLIS = 20;

    private Plan plan;
    private final FrameWalker frames;
    private ChannelHandlerContext ctx;
    private PendingWriteQueue queue;
    private long queuedBytes;
    private long taken;
    private long planned;
    private boolean waiting;
    private boolean delayTaken;
    private boolean holdExpired;
    private boolean resetWhenDrained;
    private ChannelPromise closeWhenDrained;
    private ChannelFuture lastWrite;

    HostileWriter(Plan plan) {
        this.plan = plan;
        this.frames = new FrameWalker(plan.segmenting() == Fault.Kind.SPLIT_FRAMES);
    }

    /** From now on, the pieces and delays of another plan (faults chosen by the client at login). */
    void plan(Plan next) {
        plan = next;
        planned = 0;
        frames.recordBoundaries(next.segmenting() == Fault.Kind.SPLIT_FRAMES);
    }

    FrameWalker frames() {
        return frames;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.queue = new PendingWriteQueue(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            frames.walk(buf);
            queuedBytes += buf.readableBytes();
        }
        queue.add(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        pump();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (queue.isEmpty() || !ctx.channel().isActive()) {
            queue.removeAndFailAll(new ClosedChannelException());
            ctx.close(promise);
        } else {
            closeWhenDrained = promise;
            pump();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        queue.removeAndFailAll(new ClosedChannelException());
    }

    /** Resets the connection (RST) as soon as every byte written so far has reached the socket. */
    void resetWhenDrained() {
        resetWhenDrained = true;
        pump();
    }

    /** Writes pieces until the queue is empty or a delay or hold is pending. */
    private void pump() {
        while (!waiting) {
            if (!ctx.channel().isActive()) {
                queue.removeAndFailAll(new ClosedChannelException());
                queuedBytes = 0;
                return;
            }
            if (queue.isEmpty()) {
                drained();
                return;
            }
            Object head = queue.current();
            if (!(head instanceof ByteBuf b) || !b.isReadable()) {
                lastWrite = queue.removeAndWrite(); // nothing to cut (an empty buffer, e.g. a flush-then-close idiom)
                ctx.flush();
                continue;
            }
            if (plan.segmenting() != null && lastWrite != null && !lastWrite.isDone()) {
                // each piece its own send: the next waits until the socket has taken the one before
                waiting = true;
                lastWrite.addListener(f -> {
                    waiting = false;
                    pump();
                });
                return;
            }
            if (!delayTaken) {
                long delay = plan.nextWriteDelay();
                if (delay > 0) {
                    wait(delay, () -> delayTaken = true);
                    return;
                }
            }
            delayTaken = false;
            long size = pieceSize();
            if (size == 0) {
                return; // coalesce waits for more bytes or its hold
            }
            writePiece(size);
        }
    }

    private long pieceSize() {
        if (plan.segmenting() == Fault.Kind.SPLIT_FRAMES) {
            long next = frames.toNextBoundary(taken);
            return next == 0 ? queuedBytes : next;
        }
        if (planned == 0) {
            planned = plan.nextPiece();
        }
        if (plan.segmenting() == Fault.Kind.COALESCE && queuedBytes < planned && !holdExpired) {
            delayTaken = true; // the delay was drawn for this piece already
            wait(HOLD_MILLIS, () -> holdExpired = true);
            return 0;
        }
        holdExpired = false;
        long size = Math.min(planned, queuedBytes);
        planned = plan.segmenting() == Fault.Kind.COALESCE ? 0 : planned - size;
        return size;
    }

    private void wait(long millis, Runnable then) {
        waiting = true;
        ctx.executor()
                .schedule(
                        () -> {
                            waiting = false;
                            then.run();
                            pump();
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
    }

    /** Writes the next {@code size} bytes of the queue (buffers only; the head is one with bytes). */
    private void writePiece(long size) {
        List<ByteBuf> parts = new ArrayList<>();
        List<ChannelPromise> promises = new ArrayList<>();
        long left = size;
        while (left > 0 && !queue.isEmpty()) {
            if (!(queue.current() instanceof ByteBuf buf)) {
                break; // written on its own by the next round of pump
            }
            int readable = buf.readableBytes();
            if (readable <= left) {
                parts.add(buf.retainedSlice());
                ChannelPromise p = queue.remove(); // releases buf; the slice keeps its bytes
                if (p != null && !p.isVoid()) {
                    promises.add(p);
                }
                left -= readable;
            } else {
                parts.add(buf.readRetainedSlice((int) left));
                left = 0;
            }
        }
        long written = size - left;
        queuedBytes -= written;
        taken += written;
        ByteBuf piece;
        if (parts.size() == 1) {
            piece = parts.get(0);
        } else {
            CompositeByteBuf composite = ctx.alloc().compositeBuffer(Math.max(2, parts.size()));
            composite.addComponents(true, parts);
            piece = composite;
        }
        ChannelFuture f = ctx.write(piece);
        if (!promises.isEmpty()) {
            f.addListener(done -> promises.forEach(p -> {
                if (done.isSuccess()) {
                    p.trySuccess();
                } else {
                    p.tryFailure(done.cause());
                }
            }));
        }
        lastWrite = f;
        ctx.flush();
    }

    private void drained() {
        if (resetWhenDrained) {
            resetWhenDrained = false;
            Runnable reset = () -> {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            };
            if (lastWrite == null || lastWrite.isDone()) {
                reset.run();
            } else {
                lastWrite.addListener(f -> reset.run());
            }
        } else if (closeWhenDrained != null) {
            ChannelPromise p = closeWhenDrained;
            closeWhenDrained = null;
            ctx.close(p);
        }
    }
}
