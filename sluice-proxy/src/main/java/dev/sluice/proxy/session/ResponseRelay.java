package dev.sluice.proxy.session;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * Relays the server's response to one command: every packet is classified by a {@link ResponseDecoder}
 * (so the end of the response is known from its structure, never guessed) and forwarded as is (the framing
 * re-stamps sequence ids), except where client and server negotiated CLIENT_DEPRECATE_EOF differently:
 * then EOF packets are dropped or inserted and result-set terminators rewritten between EOF and 0xFE-OK.
 *
 * <p>LOCAL INFILE requests pass only when {@link LocalInfileGuard} allows them; otherwise Sluice answers
 * the server with an empty file itself and the client gets an ERR saying why.
 */
final class ResponseRelay implements Exchange {
    /** What the server's OKs become for the client (transaction mode's state tracker); null: as they are. */
    interface OkFilter {
        /** Applies {@code payload} (lent) and returns what the client gets: the same buffer, or a new one. */
        ByteBuf ok(ByteBuf payload);
    }

    /**
     * Transaction mode: the ids of prepared statements are Sluice's (see {@link
     * dev.sluice.proxy.session.prepared.PreparedStatements}).
     */
    interface PrepareIds {
        /** The COM_STMT_PREPARE_OK (lent) is in: its id is rewritten in place to the client's, which is returned. */
        long prepareOk(ByteBuf payload);

        /** The COM_STMT_PREPARE failed. */
        void prepareFailed();
    }

    private final ClientOutput client;
    private PrepareIds prepareIds;
    /** The status flags of the response's last OK, EOF or result end. */
    private int endStatus;

    private final OkFilter okFilter;
    private final ServerSide server;
    private final SessionStatus status;
    private final PreparedLoads preparedLoads;
    private final boolean localInfileEnabled;
    private final Command command;
    private final ResponseDecoder decoder;
    /** The files the command named in LOAD DATA LOCAL statements; null for none. */
    private final LocalInfileGuard localFiles;
    /** The server sends EOFs, the client wants none. */
    private final boolean dropEofs;
    /** The server sends none, the client wants EOFs. */
    private final boolean addEofs;

    private final long clientCapabilities;

    private long rows;
    /** The last result of this response ended with SERVER_MORE_RESULTS_EXISTS: another one is being relayed. */
    private boolean moreResults;

    private boolean eofOwed;
    private boolean clientData;
    private String refusedFile;
    /** After a refused LOCAL INFILE whose statement was not the last: the rest is read, not relayed. */
    private boolean draining;

    private Runnable afterResponse;
    /** An ERR ended the response (or one of its results). */
    private boolean failed;

    @Override
    public boolean failed() {
        return failed;
    }

    ResponseRelay(
            ClientOutput client,
            ServerSide server,
            SessionStatus status,
            PreparedLoads preparedLoads,
            boolean localInfileEnabled,
            Command command,
            boolean cursorRequested,
            LocalInfileGuard localFiles,
            OkFilter okFilter) {
        this.client = client;
        this.okFilter = okFilter;
        this.server = server;
        this.status = status;
        this.preparedLoads = preparedLoads;
        this.localInfileEnabled = localInfileEnabled;
        this.command = command;
        this.localFiles = localFiles;
        this.decoder = ResponseDecoder.forRelay(command, server.capabilities(), cursorRequested);
        this.clientCapabilities = client.capabilities();
        boolean clientDeprecate = Capability.has(clientCapabilities, Capability.CLIENT_DEPRECATE_EOF);
        boolean serverDeprecate = Capability.has(server.capabilities(), Capability.CLIENT_DEPRECATE_EOF);
        this.dropEofs = clientDeprecate && !serverDeprecate;
        this.addEofs = !clientDeprecate && serverDeprecate;
    }

    @Override
    public boolean isComplete() {
        return decoder.isComplete() && !clientData;
    }

    @Override
    public boolean awaitingClientData() {
        return clientData;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public String commandName() {
        return command.name();
    }

    /** Classifies and relays one server payload (lent); a ProtocolException means the response cannot be trusted. */
    @Override
    public void onServerPayload(ByteBuf payload) {
        ResponseEvent event = decoder.next(payload);
        relay(payload, event);
        if (afterResponse != null && decoder.isComplete() && !clientData) {
            ended();
        }
    }

    private void relay(ByteBuf payload, ResponseEvent event) {
        if (draining) {
            drain(event);
        } else if (event instanceof ResponseEvent.Row) {
            if (eofOwed) {
                writeEof(0, intermediateStatus(moreResults));
                eofOwed = false;
            }
            rows++;
            client.relay(payload);
        } else if (event instanceof ResponseEvent.ColumnDefinition def) {
            client.relay(payload);
            if (addEofs) {
                afterDefinition(def.parameter());
            }
        } else if (event instanceof ResponseEvent.ColumnsEnd end) {
            status.server(end.eof().statusFlags());
            if (dropEofs) {
                if (end.terminal() && command == Command.COM_STMT_EXECUTE) {
                    // a cursor was opened: under DEPRECATE_EOF the definitions end with a 0xFE OK instead
                    writeOkTerminator(end.eof().statusFlags(), end.eof().warnings());
                }
            } else {
                client.relay(payload);
            }
        } else if (event instanceof ResponseEvent.ResultEnd end) {
            onResultEnd(payload, end);
        } else if (event instanceof ResponseEvent.Ok ok) {
            observed(ok.ok().affectedRows(), ok.ok().warnings());
            status.server(ok.ok().statusFlags());
            endStatus = ok.ok().statusFlags();
            moreResults = ok.moreResults();
            ByteBuf out = okFilter == null ? payload : okFilter.ok(payload);
            if (refusedFile != null) {
                refuse(ok.moreResults());
                if (out != payload) {
                    out.release();
                }
            } else {
                relayOk(payload, out);
            }
        } else if (event instanceof ResponseEvent.Err err) {
            failed = true;
            if (prepareIds != null && command == Command.COM_STMT_PREPARE) {
                prepareIds.prepareFailed();
            }
            if (refusedFile != null) {
                refuse(false);
            } else {
                StatementObserver observer = client.observer();
                if (observer != null) {
                    observer.error(err.err().errorCode(), StatementStats.Origin.SERVER);
                }
                client.relay(payload);
            }
        } else if (event instanceof ResponseEvent.Eof eof) {
            status.server(eof.eof().statusFlags());
            endStatus = eof.eof().statusFlags();
            client.relay(payload);
        } else if (event instanceof ResponseEvent.LocalInfile request) {
            onLocalInfile(payload, request.request().filename());
        } else if (event instanceof ResponseEvent.PrepareOk prepared) {
            long id = prepareIds == null
                    ? prepared.prepareOk().statementId()
                    : prepareIds.prepareOk(payload); // Sluice's id, in place
            preparedLoads.prepared(id, localFiles);
            client.relay(payload);
        } else {
            client.relay(payload);
        }
    }

    /**
     * The statement whose file was refused has ended: the client gets the ERR, which ends the response for it.
     * When more results follow (a multi-statement text), they are read from the server and dropped, so that none
     * reaches the client after its ERR.
     */
    private void refuse(boolean moreResults) {
        client.write(
                localInfileEnabled
                        ? ProxyErrors.localInfileRefused(refusedFile, moreResults)
                        : ProxyErrors.localInfileDisabled());
        refusedFile = null;
        draining = moreResults;
    }

    /** A packet of the results after a refusal: read to the end, relayed never; a further file request gets none. */
    private void drain(ResponseEvent event) {
        if (event instanceof ResponseEvent.LocalInfile) {
            server.write(new Packet(0, Unpooled.EMPTY_BUFFER));
        } else if (event instanceof ResponseEvent.Ok ok) {
            status.server(ok.ok().statusFlags());
        } else if (event instanceof ResponseEvent.ResultEnd end) {
            status.server(end.statusFlags());
        }
    }

    private void afterDefinition(boolean parameter) {
        ResponseDecoder.Phase phase = decoder.phase();
        if (command == Command.COM_STMT_PREPARE) {
            // parameters end when the column definitions (or the end) come next; columns end with the response
            if ((parameter && phase != ResponseDecoder.Phase.PREPARE_PARAMS)
                    || (!parameter && phase == ResponseDecoder.Phase.DONE)) {
                writeEof(0, intermediateStatus(false));
            }
        } else if (command != Command.COM_FIELD_LIST && phase == ResponseDecoder.Phase.ROWS) {
            eofOwed = true;
        }
    }

    /** Relays an OK the server sent, or what the filter made of it. */
    private void relayOk(ByteBuf payload, ByteBuf out) {
        if (out == payload) {
            client.relay(payload);
        } else {
            client.write(out);
        }
    }

    private void onResultEnd(ByteBuf payload, ResponseEvent.ResultEnd end) {
        observed(0, end.warnings());
        status.server(end.statusFlags());
        endStatus = end.statusFlags();
        ByteBuf out = payload;
        if (okFilter != null && end.ok() != null) {
            out = okFilter.ok(payload); // the 0xFE OK of a server under DEPRECATE_EOF: its state changes count
        }
        if (addEofs) {
            boolean cursor = ServerStatus.has(end.statusFlags(), ServerStatus.CURSOR_EXISTS) && rows == 0;
            if (eofOwed && !cursor) {
                // no rows came: the end says what the server's state was, and whether more results follow
                writeEof(0, intermediateStatus(end.moreResults()));
            }
            eofOwed = false;
            writeEof(end.warnings(), end.statusFlags());
        } else if (dropEofs) {
            writeOkTerminator(end.statusFlags(), end.warnings());
        } else {
            relayOk(payload, out);
            out = payload;
        }
        if (out != payload) {
            out.release(); // the terminator Sluice wrote in its place says what the client's would
        }
        moreResults = end.moreResults();
    }

    /**
     * The flags of an EOF the server did not send (it omits the one after definitions under DEPRECATE_EOF) but would
     * have sent to this client: its status at that moment, known as the session's state from its latest OK or EOF
     * (what the statement itself changes shows at its end), and SERVER_MORE_RESULTS_EXISTS when another result follows
     * this one. Whether one follows is known only at the result's end: until then, the previous result's end decides.
     */
    private int intermediateStatus(boolean more) {
        return status.flags() | (more ? ServerStatus.MORE_RESULTS_EXISTS : 0);
    }

    /** @param payload the request as sent (the guard compares its bytes); {@code fileName} its decoded name */
    private void onLocalInfile(ByteBuf payload, String fileName) {
        if (localInfileEnabled
                && Capability.has(clientCapabilities, Capability.CLIENT_LOCAL_FILES)
                && localFiles != null
                && localFiles.allows(payload)) {
            client.relay(payload);
            client.sequence().expectClientData();
            clientData = true;
        } else {
            // Answer with an empty file so the server ends the statement; the client hears why.
            refusedFile = fileName;
            server.write(new Packet(0, Unpooled.EMPTY_BUFFER));
        }
    }

    /** A packet of the client's LOCAL INFILE data; the empty packet ends it. */
    @Override
    public void onClientData(Packet packet) {
        boolean end = !packet.payload().isReadable();
        server.write(packet);
        if (end) {
            client.sequence().endClientData();
            clientData = false;
        }
    }

    private void writeEof(int warnings, int status) {
        ByteBuf buf = client.allocate();
        new EofPacket(warnings, status).encode(buf, clientCapabilities);
        client.write(buf);
    }

    private void writeOkTerminator(int status, int warnings) {
        client.write(new OkPacket(OkPacket.HEADER_EOF, 0, 0, status, warnings, "", List.of()));
    }

    private void observed(long affected, int warnings) {
        StatementObserver observer = client.observer();
        if (observer != null) {
            observer.ok(affected, warnings);
        }
    }

    void prepareIds(PrepareIds ids) {
        prepareIds = ids;
    }

    /** The answer opened a cursor (a COM_STMT_EXECUTE's). */
    boolean cursorOpen() {
        return decoder.cursorOpen();
    }

    /** The status flags of the answer's last OK, EOF or result end (a COM_STMT_FETCH's: LAST_ROW_SENT). */
    int endStatus() {
        return endStatus;
    }

    /** Runs {@code action} once, when the response is complete or abandoned. */
    void afterResponse(Runnable action) {
        afterResponse = action;
    }

    private void ended() {
        Runnable action = afterResponse;
        afterResponse = null;
        action.run();
    }

    /** The session ends with this response unfinished; nothing is held here but state. */
    @Override
    public void abandon() {
        clientData = false;
        if (afterResponse != null) {
            ended();
        }
    }
}
