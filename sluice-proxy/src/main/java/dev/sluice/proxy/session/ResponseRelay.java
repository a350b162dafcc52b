package dev.sluice.proxy.session;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.Packet;
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
    private final ClientSession session;
    private final Command command;
    private final ResponseDecoder decoder;
    private final String sql;
    /** The server sends EOFs, the client wants none. */
    private final boolean dropEofs;
    /** The server sends none, the client wants EOFs. */
    private final boolean addEofs;
    private final long clientCapabilities;

    private long rows;
    private int lastStatus = ServerStatus.AUTOCOMMIT;
    private boolean eofOwed;
    private boolean clientData;
    private String refusedFile;

    ResponseRelay(ClientSession session, Command command, boolean cursorRequested, String sql) {
        this.session = session;
        this.command = command;
        this.sql = sql;
        this.decoder = ResponseDecoder.forRelay(command, session.serverCapabilities(), cursorRequested);
        this.clientCapabilities = session.clientCapabilities();
        boolean clientDeprecate = Capability.has(clientCapabilities, Capability.CLIENT_DEPRECATE_EOF);
        boolean serverDeprecate = Capability.has(session.serverCapabilities(), Capability.CLIENT_DEPRECATE_EOF);
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

    /** Classifies and relays one server packet; a ProtocolException means the response cannot be trusted. */
    @Override
    public void onServerPacket(Packet packet) {
        ResponseEvent event;
        try {
            event = decoder.next(packet.payload());
        } catch (RuntimeException e) {
            packet.release();
            throw e;
        }
        if (event instanceof ResponseEvent.Row) {
            if (eofOwed) {
                writeEof(0, lastStatus);
                eofOwed = false;
            }
            rows++;
            session.writeToClient(packet);
        } else if (event instanceof ResponseEvent.ColumnDefinition def) {
            session.writeToClient(packet);
            if (addEofs) {
                afterDefinition(def.parameter());
            }
        } else if (event instanceof ResponseEvent.ColumnsEnd end) {
            if (dropEofs) {
                packet.release();
                if (end.terminal() && command == Command.COM_STMT_EXECUTE) {
                    // a cursor was opened: under DEPRECATE_EOF the definitions end with a 0xFE OK instead
                    writeOkTerminator(end.eof().statusFlags(), end.eof().warnings());
                }
            } else {
                session.writeToClient(packet);
            }
        } else if (event instanceof ResponseEvent.ResultEnd end) {
            onResultEnd(packet, end);
        } else if (event instanceof ResponseEvent.Ok ok) {
            lastStatus = ok.ok().statusFlags();
            if (refusedFile != null) {
                packet.release();
                session.writeToClient(ProxyErrors.localInfileRefused(refusedFile));
            } else {
                session.writeToClient(packet);
            }
        } else if (event instanceof ResponseEvent.Err) {
            if (refusedFile != null) {
                packet.release();
                session.writeToClient(ProxyErrors.localInfileRefused(refusedFile));
            } else {
                session.writeToClient(packet);
            }
        } else if (event instanceof ResponseEvent.LocalInfile request) {
            onLocalInfile(packet, request.request().filename());
        } else {
            session.writeToClient(packet);
        }
    }

    private void afterDefinition(boolean parameter) {
        ResponseDecoder.Phase phase = decoder.phase();
        if (command == Command.COM_STMT_PREPARE) {
            // parameters end when the column definitions (or the end) come next; columns end with the response
            if ((parameter && phase != ResponseDecoder.Phase.PREPARE_PARAMS) || (!parameter && phase == ResponseDecoder.Phase.DONE)) {
                writeEof(0, lastStatus);
            }
        } else if (command != Command.COM_FIELD_LIST && phase == ResponseDecoder.Phase.ROWS) {
            eofOwed = true;
        }
    }

    private void onResultEnd(Packet packet, ResponseEvent.ResultEnd end) {
        if (addEofs) {
            packet.release();
            boolean cursor = ServerStatus.has(end.statusFlags(), ServerStatus.CURSOR_EXISTS) && rows == 0;
            if (eofOwed && !cursor) {
                writeEof(0, lastStatus);
            }
            eofOwed = false;
            writeEof(end.warnings(), end.statusFlags());
        } else if (dropEofs) {
            packet.release();
            writeOkTerminator(end.statusFlags(), end.warnings());
        } else {
            session.writeToClient(packet);
        }
        lastStatus = end.statusFlags();
    }

    private void onLocalInfile(Packet packet, String fileName) {
        if (session.localInfileEnabled() && Capability.has(clientCapabilities, Capability.CLIENT_LOCAL_FILES)
                && LocalInfileGuard.allows(sql, fileName)) {
            session.writeToClient(packet);
            session.clientSequence().expectClientData();
            clientData = true;
        } else {
            // Answer with an empty file so the server ends the statement; the client hears why.
            packet.release();
            refusedFile = fileName;
            session.writeToServer(new Packet(0, Unpooled.EMPTY_BUFFER));
        }
    }

    /** A packet of the client's LOCAL INFILE data; the empty packet ends it. */
    @Override
    public void onClientData(Packet packet) {
        boolean end = !packet.payload().isReadable();
        session.writeToServer(packet);
        if (end) {
            session.clientSequence().endClientData();
            clientData = false;
        }
    }

    private void writeEof(int warnings, int status) {
        ByteBuf buf = session.allocate();
        new EofPacket(warnings, status).encode(buf, clientCapabilities);
        session.writeToClient(buf);
    }

    private void writeOkTerminator(int status, int warnings) {
        session.writeToClient(new OkPacket(OkPacket.HEADER_EOF, 0, 0, status, warnings, "", List.of()));
    }

    /** The session ends with this response unfinished; nothing is held here but state. */
    @Override
    public void abandon() {
        clientData = false;
    }
}
