package dev.sluice.it.prepared;

import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.session.prepared.PreparedStatements;
import dev.sluice.proxy.session.prepared.Reprepare;
import dev.sluice.proxy.session.prepared.Routing;
import dev.sluice.proxy.session.prepared.ServerStatements;
import dev.sluice.proxy.session.prepared.StatementContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One logged-in server connection driven the way a session drives its leased connection with the prepared-statement
 * component: {@link PreparedStatements#route} decides, this writes (pending closes first, Sluice's own commands, the
 * client's command, one flush) and reads (Sluice's own answers into the {@link Reprepare}, never returned; the
 * answer to the client's command returned as the client would get it). Everything runs on the channel's event
 * loop; the test thread waits on futures.
 */
final class RawServer implements AutoCloseable {
    /** What the client gets: its packets (copies), the status flags of the terminal packet. */
    record Answer(List<byte[]> packets, int status) {
        ErrPacket err() {
            byte[] first = packets.get(0);
            return first[0] == (byte) 0xFF ? ErrPacket.decode(Unpooled.wrappedBuffer(first), CAPS_41) : null;
        }

        List<String> hex() {
            return packets.stream().map(ByteBufUtil::hexDump).toList();
        }
    }

    private static final long CAPS_41 = dev.sluice.protocol.Capability.CLIENT_PROTOCOL_41;

    private final ServerConnection connection;
    private final Channel channel;
    private final PacketSequence sequence;
    private final long capabilities;
    final ServerStatements statements;
    /** The database and settings the connection is in, as a session would track them. */
    volatile StatementContext context;

    /** The command in progress, failed when the channel reports an error (a broken sequence id, ...). */
    private volatile CompletableFuture<Answer> current;
    /** Who takes the next packet from the server. */
    private Consumer<ByteBuf> reader;

    RawServer(ServerConnection connection, int limit, boolean lastPreparedId, StatementContext context) {
        this.connection = connection;
        this.statements = new ServerStatements(limit, lastPreparedId);
        this.context = context;
        this.channel = connection.channel();
        ServerConnection.Detached detached = ServerConnection.await(
                CompletableFuture.supplyAsync(() -> connection.detach(null), channel.eventLoop()));
        this.sequence = detached.sequence();
        this.capabilities = detached.capabilities();
        Handler handler = new Handler();
        ServerConnection.await(CompletableFuture.runAsync(
                () -> {
                    channel.pipeline().addLast("raw", handler);
                    channel.pipeline().get(PacketDecoder.class).sink(handler);
                },
                channel.eventLoop()));
    }

    private final class Handler extends ChannelInboundHandlerAdapter implements PacketDecoder.Sink {
        @Override
        public void onPayload(ByteBuf payload, int sequenceId) {
            Consumer<ByteBuf> r = reader;
            if (r == null) {
                throw new IllegalStateException("a packet outside any command: " + ByteBufUtil.hexDump(payload));
            }
            r.accept(payload);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<Answer> c = current;
            if (c != null) {
                c.completeExceptionally(cause);
            }
            ctx.close();
        }
    }

    long capabilities() {
        return capabilities;
    }

    /** A client's COM_STMT_PREPARE of {@code sql} through {@code session}'s catalog. */
    Answer prepare(PreparedStatements session, String sql) {
        return await(onLoop(done -> {
            ByteBuf prepare = Unpooled.buffer();
            prepare.writeByte(Command.COM_STMT_PREPARE.code()).writeBytes(sql.getBytes());
            session.prepareSent(prepare, context);
            write(List.of(), prepare);
            boolean[] first = {true};
            expect(
                    Command.COM_STMT_PREPARE,
                    false,
                    payload -> {
                        if (first[0]) {
                            first[0] = false;
                            if (payload.getUnsignedByte(payload.readerIndex()) == 0) {
                                session.prepareOk(payload, statements);
                            } else {
                                session.prepareFailed();
                            }
                        }
                    },
                    (a, d) -> done.complete(a));
        }));
    }

    /** A client's statement command (execute, fetch, long data, ...) through {@code session}'s routing. */
    Answer command(PreparedStatements session, ByteBuf payload) {
        return await(onLoop(done -> {
            Command command = Command.of(payload.getUnsignedByte(payload.readerIndex()));
            boolean cursor = command == Command.COM_STMT_EXECUTE
                    && (payload.getUnsignedByte(payload.readerIndex() + 5) & 7) != 0;
            Routing routing = session.route(payload, statements, context, capabilities, channel.alloc());
            if (routing instanceof Routing.Answer a) {
                done.complete(local(a.err()));
            } else if (routing instanceof Routing.AnswerOk) {
                done.complete(local(null));
            } else if (routing instanceof Routing.Drop) {
                done.complete(new Answer(List.of(), 0));
            } else if (routing instanceof Routing.Forward f) {
                write(List.of(), f.payload());
                if (f.hasResponse()) {
                    expectClient(session, command, cursor, f.clientId(), done);
                } else {
                    done.complete(new Answer(List.of(), 0));
                }
            } else if (routing instanceof Routing.Prepare p) {
                round(new Pending(session, command, cursor, p, done));
            }
        }));
    }

    /** A client's command being prepared for by Sluice. */
    private record Pending(
            PreparedStatements session,
            Command command,
            boolean cursor,
            Routing.Prepare p,
            CompletableFuture<Answer> done) {}

    /** Drives one round of Sluice's own prepare, then the client's answer (or the failure in its place). */
    private void round(Pending pending) {
        Reprepare re = pending.p().reprepare();
        CompletableFuture<Answer> done = pending.done();
        List<ByteBuf> own = re.nextRound(channel.alloc());
        if (own.isEmpty() && !re.commandInRound()) {
            done.complete(local(re.failure()));
            return;
        }
        write(own, re.commandInRound() ? re.command() : null);
        if (!re.awaitingOwn()) { // the command alone (its statement id known from an earlier round)
            afterCommand(pending);
            return;
        }
        reader = payload -> {
            Reprepare.Progress progress = re.accept(payload);
            if (progress == Reprepare.Progress.MORE) {
                return;
            }
            sequence.beginResponse(0); // the next answer's ids start after its own command's
            if (progress == Reprepare.Progress.NEXT) {
                return;
            }
            if (!re.commandWritten()) {
                reader = null;
                round(pending);
            } else {
                afterCommand(pending);
            }
        };
    }

    /** The client's command was written: its answer is relayed, or dropped for the failure of Sluice's prepare. */
    private void afterCommand(Pending pending) {
        Reprepare re = pending.p().reprepare();
        CompletableFuture<Answer> done = pending.done();
        if (!pending.p().hasResponse()) {
            reader = null;
            done.complete(new Answer(List.of(), 0));
        } else if (re.failure() != null) {
            // the answer to the command with the last-prepared id: dropped, the prepare's failure goes instead
            expect(pending.command(), false, x -> {}, (a, d) -> done.complete(local(re.failure())));
        } else {
            expectClient(
                    pending.session(),
                    pending.command(),
                    pending.cursor(),
                    pending.p().clientId(),
                    done);
        }
    }

    private void expectClient(
            PreparedStatements session,
            Command command,
            boolean cursor,
            long clientId,
            CompletableFuture<Answer> done) {
        expect(command, cursor, payload -> {}, (a, decoder) -> {
            if (command == Command.COM_STMT_EXECUTE) {
                session.executeEnded(clientId, decoder.cursorOpen());
            } else if (command == Command.COM_STMT_FETCH) {
                session.fetchEnded(clientId, a.status());
            }
            done.complete(a);
        });
    }

    /** Reads one answer to a command, copying its packets; {@code peek} sees each first (and may rewrite it). */
    private void expect(
            Command command,
            boolean cursor,
            Consumer<ByteBuf> peek,
            java.util.function.BiConsumer<Answer, ResponseDecoder> then) {
        ResponseDecoder decoder = new ResponseDecoder(command, capabilities, cursor);
        List<byte[]> packets = new ArrayList<>();
        int[] status = {0};
        reader = payload -> {
            peek.accept(payload);
            ResponseEvent event = decoder.next(payload);
            packets.add(ByteBufUtil.getBytes(payload));
            if (event instanceof ResponseEvent.ResultEnd end) {
                status[0] = end.statusFlags();
            } else if (event instanceof ResponseEvent.Ok ok) {
                status[0] = ok.ok().statusFlags();
            }
            if (decoder.isComplete()) {
                reader = null;
                sequence.beginResponse(0);
                then.accept(new Answer(packets, status[0]), decoder);
            }
        };
    }

    /** Pending closes, then {@code own}, then {@code command} (may be null): one command each, one flush. */
    private void write(List<ByteBuf> own, ByteBuf command) {
        statements.writePendingCloses(channel.alloc(), this::writeCommand);
        own.forEach(this::writeCommand);
        if (command != null) {
            writeCommand(command);
        }
        channel.flush();
    }

    private void writeCommand(ByteBuf payload) {
        sequence.reset();
        channel.write(payload, channel.voidPromise());
    }

    /** A plain command of Sluice's own (a query, COM_RESET_CONNECTION, ...): its answer. */
    Answer plain(ByteBuf payload) {
        Command command = Command.of(payload.getUnsignedByte(payload.readerIndex()));
        return await(onLoop(done -> {
            write(List.of(), payload);
            if (command.hasResponse()) {
                expect(command, false, x -> {}, (a, d) -> done.complete(a));
            } else {
                done.complete(new Answer(List.of(), 0));
            }
        }));
    }

    /** A client's command sent as it is, no component involved: what the client gets from the server directly. */
    Answer direct(ByteBuf payload) {
        return plain(payload);
    }

    private Answer local(ErrPacket err) {
        ByteBuf out = Unpooled.buffer();
        if (err != null) {
            err.encode(out, capabilities);
        } else {
            OkPacket.of(0, 0, ServerStatus.AUTOCOMMIT, 0).encode(out, capabilities);
        }
        return new Answer(List.of(ByteBufUtil.getBytes(out)), 0);
    }

    private CompletableFuture<Answer> onLoop(Consumer<CompletableFuture<Answer>> action) {
        CompletableFuture<Answer> done = new CompletableFuture<>();
        current = done;
        channel.eventLoop().execute(() -> {
            try {
                action.accept(done);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private static Answer await(CompletableFuture<Answer> f) {
        return ServerConnection.await(f, java.time.Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "RawServer[" + connection + "]";
    }
}
