package dev.sluice.proxy.session;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.wire.Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a session does with a COM_QUERY text that {@link StatementScanner#isPlain} did not let through: exactly one
 * of answering it with an ERR ({@code answer}), translating a KILL ({@code kill}), answering {@code SHOW STATUS LIKE
 * 'Ssl%'} locally ({@code sslPattern}), or forwarding it, rewritten when it calls {@code CONNECTION_ID()}
 * ({@code rewritten}, a new payload) and with the files its LOAD DATA LOCAL statements may ask for
 * ({@code localFiles}).
 */
record QueryPlan(
        ErrPacket answer, KillStatement kill, String sslPattern, ByteBuf rewritten, LocalInfileGuard localFiles) {

    static QueryPlan of(ClientSession session, Packet packet) {
        ByteBuf payload = packet.payload();
        int from = payload.readerIndex() + 1;
        boolean noBackslashEscapes = session.noBackslashEscapes();
        StatementScanner.Scan scan = StatementScanner.scan(payload, from, payload.writerIndex(), noBackslashEscapes);
        for (StatementScanner.Statement statement : scan.statements()) {
            if (statement.keyword() == StatementScanner.DYNAMIC
                    && StatementScanner.preparesKill(payload, statement, noBackslashEscapes)) {
                return answer(ProxyErrors.killNotTranslated("KILL in PREPARE or EXECUTE IMMEDIATE"));
            }
            if (statement.keyword() == StatementScanner.KILL) {
                KillStatement kill = KillStatement.parse(payload, statement, noBackslashEscapes, session.id());
                if (kill.unsupported() != null) {
                    return answer(ProxyErrors.killNotTranslated(kill.unsupported()));
                }
                if (scan.statements().size() > 1) {
                    return answer(ProxyErrors.killNotTranslated("KILL among several statements of one text"));
                }
                return new QueryPlan(null, kill, null, null, null);
            }
        }
        StatementScanner.Statement single = scan.single();
        if (single != null && single.keyword() == StatementScanner.SHOW) {
            String pattern = LocalAnswers.sslStatusPattern(payload.toString(
                    single.start(), Math.min(single.end() - single.start(), 4096), StandardCharsets.UTF_8));
            if (pattern != null) {
                return new QueryPlan(null, null, pattern, null, null);
            }
        }
        LocalInfileGuard files = LocalInfileGuard.of(payload, scan, noBackslashEscapes);
        if (files != null && !session.localInfileEnabled()) {
            return answer(ProxyErrors.localInfileDisabled());
        }
        ByteBuf rewritten = scan.connectionIdCalls().isEmpty()
                ? null
                : withConnectionId(payload.alloc(), payload, scan.connectionIdCalls(), session.id());
        return new QueryPlan(null, null, null, rewritten, files);
    }

    /**
     * A COM_STMT_PREPARE text: {@code CONNECTION_ID()} rewritten, the files a LOAD DATA LOCAL may ask for when
     * executed; a KILL is refused (executed later with the server's semantics, it would take its id untranslated).
     */
    static QueryPlan ofPrepare(ClientSession session, Packet packet) {
        ByteBuf payload = packet.payload();
        boolean noBackslashEscapes = session.noBackslashEscapes();
        StatementScanner.Scan scan =
                StatementScanner.scan(payload, payload.readerIndex() + 1, payload.writerIndex(), noBackslashEscapes);
        for (StatementScanner.Statement statement : scan.statements()) {
            if (statement.keyword() == StatementScanner.KILL) {
                return answer(ProxyErrors.killNotTranslated("KILL as a prepared statement"));
            }
        }
        ByteBuf rewritten = scan.connectionIdCalls().isEmpty()
                ? null
                : withConnectionId(payload.alloc(), payload, scan.connectionIdCalls(), session.id());
        return new QueryPlan(null, null, null, rewritten, LocalInfileGuard.of(payload, scan, noBackslashEscapes));
    }

    private static QueryPlan answer(ErrPacket err) {
        return new QueryPlan(err, null, null, null, null);
    }

    /**
     * The COM_QUERY (or COM_STMT_PREPARE) payload with each {@code CONNECTION_ID()} call replaced by the session's id (the one in its
     * greeting, which KILL takes); a call that is a whole select-list item keeps its column name through an alias
     * of the text as written ({@code SELECT CONNECTION_ID()} reads as {@code SELECT 1073741825 AS `CONNECTION_ID()`}).
     */
    static ByteBuf withConnectionId(
            ByteBufAllocator alloc, ByteBuf payload, List<StatementScanner.ConnectionIdCall> calls, long sessionId) {
        byte[] id = Long.toUnsignedString(sessionId).getBytes(StandardCharsets.US_ASCII);
        ByteBuf out = alloc.buffer(payload.readableBytes() + calls.size() * 40);
        out.writeByte(payload.getByte(payload.readerIndex())); // the command: COM_QUERY or COM_STMT_PREPARE
        int at = payload.readerIndex() + 1;
        for (StatementScanner.ConnectionIdCall call : calls) {
            out.writeBytes(payload, at, call.start() - at);
            out.writeBytes(id);
            if (call.selectItem()) {
                out.writeBytes(" AS `".getBytes(StandardCharsets.US_ASCII));
                for (int i = call.start(); i < call.end(); i++) {
                    byte b = payload.getByte(i);
                    out.writeByte(b);
                    if (b == '`') {
                        out.writeByte(b);
                    }
                }
                out.writeByte('`');
            }
            at = call.end();
        }
        out.writeBytes(payload, at, payload.writerIndex() - at);
        return out;
    }
}
