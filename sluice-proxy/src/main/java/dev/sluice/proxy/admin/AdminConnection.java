package dev.sluice.proxy.admin;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.frontend.AuthenticatedClient;
import dev.sluice.proxy.session.ProxyErrors;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin client after its login (the frontend's {@link dev.sluice.proxy.frontend.ClientHandshakeHandler} did the
 * greeting, TLS and authentication against the admin users): reads its commands one at a time, in order, answering
 * each before the next; an answer built on other threads (sessions, KILL) is written when it is ready. COM_QUERY goes
 * to {@link AdminCommands}; COM_PING, COM_INIT_DB and COM_RESET_CONNECTION get an OK, COM_QUIT closes, anything else
 * (prepared statements included) ERR 1235.
 */
final class AdminConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.admin");
    /** Commands read ahead of the one being answered, at most. */
    static final int MAX_QUEUED = 16;

    private final AdminContext admin;
    private final AdminTables tables;
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private AuthenticatedClient login;
    private AdminCommands commands;
    private DriverQueries.Client client;
    private boolean busy;

    AdminConnection(AdminContext admin, AdminTables tables) {
        this.admin = admin;
        this.tables = tables;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof AuthenticatedClient c)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        login = c;
        login.sequence().commandMode();
        String who = c.user().name() + "@" + c.remoteAddress();
        client = new DriverQueries.Client(c.sessionId(), c.user().name(), c.remoteAddress());
        commands = new AdminCommands(admin, tables, who);
        LOG.info("admin {}: logged in (connection {}{})", who, c.sessionId(), c.tls() ? ", TLS" : "");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Packet packet) || login == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        queue.add(packet);
        drain();
    }

    /** Reads the client only while few of its commands wait: one that pipelines many is held at its socket. */
    private void updateReads() {
        boolean read = queue.size() < MAX_QUEUED;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void drain() {
        while (!busy && !queue.isEmpty() && ctx.channel().isActive()) {
            Packet packet = queue.poll();
            try {
                handle(packet);
            } finally {
                packet.release();
            }
        }
        updateReads();
        ctx.flush();
    }

    private void handle(Packet packet) {
        PacketSequence sequence = login.sequence();
        int last = packet.lastSequenceId();
        long caps = login.capabilities();
        if (!packet.payload().isReadable()) {
            sequence.beginResponse(last);
            ResultSets.err(ctx.channel(), caps, ProxyErrors.malformed("empty packet"));
            return;
        }
        Command command =
                Command.of(packet.payload().getUnsignedByte(packet.payload().readerIndex()));
        if (command == Command.COM_QUIT) {
            ctx.close();
            return;
        }
        sequence.beginResponse(last);
        if (command == Command.COM_PING || command == Command.COM_INIT_DB || command == Command.COM_RESET_CONNECTION) {
            ResultSets.ok(ctx.channel(), caps, 0, "");
        } else if (command == Command.COM_SET_OPTION) {
            ResultSets.eof(ctx.channel(), caps);
        } else if (command == Command.COM_QUERY) {
            String sql = ComQuery.decode(packet.payload().duplicate(), caps).sql();
            busy = true;
            commands.execute(sql, client)
                    .whenComplete(
                            (reply, failure) -> ctx.executor().execute(() -> answered(last, reply, failure, sql)));
        } else {
            ResultSets.err(
                    ctx.channel(),
                    caps,
                    ProxyErrors.adminNotAvailable((command == null ? "this command" : command.name())
                            + " is not supported on the admin interface: send statements as text (COM_QUERY)"));
        }
    }

    private void answered(int last, AdminReply reply, Throwable failure, String sql) {
        busy = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        login.sequence().beginResponse(last);
        if (failure != null) {
            LOG.warn("admin: '{}' failed", sql, failure);
            reply = AdminReply.error(ProxyErrors.adminFailed("'" + sql + "' failed: " + failure));
        }
        ResultSets.write(ctx.channel(), login.capabilities(), reply);
        drain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        queue.forEach(Packet::release);
        queue.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException && login != null && ctx.channel().isActive()) {
            login.sequence().respondToLastInbound();
            ResultSets.err(ctx.channel(), login.capabilities(), ProxyErrors.malformed(root.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
            ctx.flush();
            return;
        }
        if (!(root instanceof IOException)) {
            LOG.debug("admin connection {}: {}", ctx.channel().remoteAddress(), root.toString());
        }
        ctx.close();
    }
}
