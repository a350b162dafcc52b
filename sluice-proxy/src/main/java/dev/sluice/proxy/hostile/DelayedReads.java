package dev.sluice.proxy.hostile;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * In front of a hostile connection's packet decoder: what the client sends moves on only after the plan's delay
 * (0..n ms per batch of reads), in order; the end of the connection waits behind the bytes before it. Without a
 * delay fault, reads pass straight on.
 */
final class DelayedReads extends ChannelInboundHandlerAdapter {
    private Plan plan;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private boolean waiting;
    private boolean inactive;

    DelayedReads(Plan plan) {
        this.plan = plan;
    }

    /** From now on, the delays of another plan (faults chosen by the client at login). */
    void plan(Plan next) {
        plan = next;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!plan.delays() && !waiting) {
            ctx.fireChannelRead(msg);
            return;
        }
        pending.add(msg);
        if (!waiting) {
            waiting = true;
            ctx.executor().schedule(() -> deliver(ctx), plan.nextReadDelay(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!waiting) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (waiting) {
            inactive = true;
        } else {
            ctx.fireChannelInactive();
        }
    }

    private void deliver(ChannelHandlerContext ctx) {
        waiting = false;
        if (ctx.isRemoved()) {
            release();
            return;
        }
        while (!pending.isEmpty()) {
            ctx.fireChannelRead(pending.poll());
        }
        ctx.fireChannelReadComplete();
        if (inactive) {
            inactive = false;
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.poll());
        }
    }
}
