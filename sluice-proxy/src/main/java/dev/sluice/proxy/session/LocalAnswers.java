package dev.sluice.proxy.session;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.TextRow;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSession;

/**
 * The few statements Sluice answers itself because only it knows the answer: {@code SHOW [SESSION] STATUS
 * LIKE 'Ssl%'}. A client asking whether its connection is encrypted means the connection it opened, the
 * one to Sluice; the server would describe its connection to Sluice instead. Everything else goes to the
 * server unchanged.
 */
final class LocalAnswers {
    private static final Pattern SSL_STATUS =
            Pattern.compile("(?i)\\s*SHOW\\s+(?:SESSION\\s+|LOCAL\\s+)?STATUS\\s+LIKE\\s+'(ssl[^']*)'\\s*;?\\s*");

    private LocalAnswers() {}

    /** The LIKE pattern of a {@code SHOW SESSION STATUS LIKE 'Ssl…'} statement, or null for anything else. */
    static String sslStatusPattern(String sql) {
        if (sql == null || sql.length() > 200) {
            return null;
        }
        Matcher m = SSL_STATUS.matcher(sql);
        return m.matches() ? m.group(1) : null;
    }

    /** Ssl_cipher and Ssl_version of the client's own connection (empty without TLS), filtered by the pattern. */
    static Map<String, String> sslStatus(Channel client, String likePattern) {
        SslHandler ssl = client.pipeline().get(SslHandler.class);
        SSLSession session = ssl == null ? null : ssl.engine().getSession();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Ssl_cipher", session == null ? "" : session.getCipherSuite());
        all.put("Ssl_version", session == null ? "" : session.getProtocol());
        Pattern like = Pattern.compile(likeToRegex(likePattern), Pattern.CASE_INSENSITIVE);
        Map<String, String> matching = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (like.matcher(k).matches()) {
                matching.put(k, v);
            }
        });
        return matching;
    }

    private static String likeToRegex(String like) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            if (c == '\\' && i + 1 < like.length()) {
                out.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (c == '%') {
                out.append(".*");
            } else if (c == '_') {
                out.append('.');
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    /** Writes a two-column (Variable_name, Value) text result set as a server would, for these capabilities. */
    static void writeVariables(ClientSession session, Map<String, String> rows) {
        long caps = session.output().capabilities();
        // the server's transaction state, as its own answer would carry: drivers take it from the last packet
        int status = session.status().flags();
        boolean deprecateEof = Capability.has(caps, Capability.CLIENT_DEPRECATE_EOF);
        List<ColumnDefinition41> columns = List.of(
                ColumnDefinition41.of(
                        "information_schema", "SESSION_STATUS", "Variable_name", 33, 256, ColumnType.VAR_STRING, 1, 0),
                ColumnDefinition41.of(
                        "information_schema", "SESSION_STATUS", "Value", 33, 8192, ColumnType.VAR_STRING, 0, 0));
        ByteBuf count = session.output().allocate();
        ColumnCount.of(columns.size()).encode(count, caps);
        session.output().write(count);
        for (ColumnDefinition41 column : columns) {
            ByteBuf buf = session.output().allocate();
            column.encode(buf, caps, false);
            session.output().write(buf);
        }
        if (!deprecateEof) {
            ByteBuf eof = session.output().allocate();
            new EofPacket(0, status).encode(eof, caps);
            session.output().write(eof);
        }
        for (Map.Entry<String, String> row : rows.entrySet()) {
            List<byte[]> values = new ArrayList<>();
            values.add(row.getKey().getBytes(StandardCharsets.UTF_8));
            values.add(row.getValue().getBytes(StandardCharsets.UTF_8));
            ByteBuf buf = session.output().allocate();
            new TextRow(values).encode(buf);
            session.output().write(buf);
        }
        ByteBuf end = session.output().allocate();
        if (deprecateEof) {
            new OkPacket(OkPacket.HEADER_EOF, 0, 0, status, 0, "", List.of()).encode(end, caps);
        } else {
            new EofPacket(0, status).encode(end, caps);
        }
        session.output().write(end);
    }
}
