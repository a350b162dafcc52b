package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.TextRow;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Commands Sluice sends on a session's connection for the session itself (the state it re-applies on a connection
 * it leases, values it reads back after a statement): written in one pipelined write, their answers read in order
 * and never relayed. When the last answer is in, {@code done} gets the first ERR (null if none) and the values of
 * the first row of the last result set (empty if none), as text; or, with {@link #sendAll}, each command's answer.
 */
final class OwnCommands extends OwnExchange {
    /** One command: its type and payload. */
    record Own(Command command, ByteBuf payload) {}

    /**
     * What one command answered: its ERR (null if none), the first row of its last result set as text (empty if
     * none), its last OK (null if none; a tracker OK carries the session state changes it reported).
     */
    record Answer(ErrPacket err, List<String> row, OkPacket ok) {}

    private final List<Command> commands;
    private final ServerSide server;
    private final long serverCapabilities;
    private final Consumer<List<Answer>> done;
    private final List<Answer> answers = new ArrayList<>();
    private ErrPacket err;
    private OkPacket ok;
    private int answered;
    private ResponseDecoder decoder;
    private int columns;
    private List<String> row = List.of();
    private boolean firstRow;

    private OwnCommands(List<Command> commands, ServerSide server, Consumer<List<Answer>> done) {
        this.commands = commands;
        this.server = server;
        long serverCapabilities = server.capabilities();
        this.serverCapabilities = serverCapabilities;
        this.done = done;
        this.decoder = ResponseDecoder.forRelay(commands.get(0), serverCapabilities, false);
    }

    /** Sends {@code own} on the session's connection and returns the exchange that reads their answers. */
    static OwnCommands send(ServerSide server, List<Own> own, BiConsumer<ErrPacket, List<String>> done) {
        return sendAll(server, own, answers -> {
            ErrPacket first = null;
            for (Answer a : answers) {
                if (a.err() != null && first == null) {
                    first = a.err();
                }
            }
            done.accept(first, answers.get(answers.size() - 1).row());
        });
    }

    /** As {@link #send}, and {@code done} gets each command's answer, in order. */
    static OwnCommands sendAll(ServerSide server, List<Own> own, Consumer<List<Answer>> done) {
        List<Command> commands = new ArrayList<>(own.size());
        for (Own o : own) {
            commands.add(o.command());
        }
        OwnCommands exchange = new OwnCommands(commands, server, done);
        for (Own o : own) {
            server.sendCommand(new Packet(0, o.payload()), true);
        }
        return exchange;
    }

    static Own query(ByteBuf alloc, String sql) {
        alloc.writeByte(Command.COM_QUERY.code());
        alloc.writeCharSequence(sql, StandardCharsets.UTF_8);
        return new Own(Command.COM_QUERY, alloc);
    }

    static Own initDb(ByteBuf alloc, String database) {
        alloc.writeByte(Command.COM_INIT_DB.code());
        alloc.writeCharSequence(database, StandardCharsets.UTF_8);
        return new Own(Command.COM_INIT_DB, alloc);
    }

    @Override
    public void onServerPayload(ByteBuf payload) {
        ResponseEvent event = decoder.next(payload);
        if (event instanceof ResponseEvent.Err e && err == null) {
            err = e.err();
        } else if (event instanceof ResponseEvent.Ok o) {
            ok = o.ok();
        } else if (event instanceof ResponseEvent.ColumnCountEvent count) {
            columns = (int) count.columnCount().count();
            firstRow = true;
        } else if (event instanceof ResponseEvent.Row && firstRow) {
            firstRow = false;
            List<String> values = new ArrayList<>(columns);
            for (byte[] v : TextRow.decode(payload.duplicate(), columns).values()) {
                values.add(v == null ? null : new String(v, StandardCharsets.UTF_8));
            }
            row = values;
        }
        if (decoder.isComplete()) {
            answered++;
            answers.add(new Answer(err, row, ok));
            err = null;
            ok = null;
            row = List.of();
            if (answered < commands.size()) {
                server.nextAnswer(); // the next answer's ids start again after its own command's
                decoder = ResponseDecoder.forRelay(commands.get(answered), serverCapabilities, false);
            } else {
                done.accept(answers);
            }
        }
    }

    @Override
    public boolean isComplete() {
        return answered == commands.size();
    }

    @Override
    public String commandName() {
        return "Sluice's own "
                + commands.get(Math.min(answered, commands.size() - 1)).name();
    }
}
