package dev.sluice.proxy.session;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a command asked to send with LOAD DATA/XML ... LOCAL INFILE, and the check of a server's LOCAL INFILE
 * request against them: the server may ask only for a file one of the command's statements named, byte for byte
 * as the server reads the statement's file-name literal (quotes removed, escapes undone as the server undoes them,
 * which depends on NO_BACKSLASH_ESCAPES). A server can therefore never make Sluice or the client send a file
 * nobody asked for.
 */
final class LocalInfileGuard {
    private final List<byte[]> files;

    private LocalInfileGuard(List<byte[]> files) {
        this.files = files;
    }

    /** The LOAD DATA LOCAL statements of a scanned text, or null when it has none. */
    static LocalInfileGuard of(ByteBuf buf, StatementScanner.Scan scan, boolean noBackslashEscapes) {
        List<byte[]> files = null;
        for (StatementScanner.Statement statement : scan.statements()) {
            if (statement.keyword() == StatementScanner.LOAD) {
                byte[] file = localFile(buf, statement, noBackslashEscapes);
                if (file != null) {
                    if (files == null) {
                        files = new ArrayList<>(1);
                    }
                    files.add(file);
                }
            }
        }
        return files == null ? null : new LocalInfileGuard(files);
    }

    /**
     * The file a {@code LOAD {DATA|XML} [LOW_PRIORITY|CONCURRENT] [LOCAL] INFILE 'name'} statement asks to send
     * from the client, unescaped as the server reads it; null when it is not LOCAL (or not such a statement).
     */
    static byte[] localFile(ByteBuf buf, StatementScanner.Statement statement, boolean noBackslashEscapes) {
        SqlLexer lexer = SqlLexer.of(buf, statement, noBackslashEscapes);
        lexer.next(); // LOAD
        lexer.next();
        if (!lexer.is("DATA") && !lexer.is("XML")) {
            return null;
        }
        boolean local = false;
        for (lexer.next(); lexer.is("LOW_PRIORITY") || lexer.is("CONCURRENT") || lexer.is("LOCAL"); lexer.next()) {
            local |= lexer.is("LOCAL");
        }
        if (!local || !lexer.is("INFILE") || lexer.next() != SqlLexer.STRING) {
            return null;
        }
        return lexer.stringValue();
    }

    /** True when the server's LOCAL INFILE request (0xFB and the file name; lent) asks for a file named here. */
    boolean allows(ByteBuf request) {
        int from = request.readerIndex() + 1;
        int length = request.writerIndex() - from;
        if (length <= 0) {
            return false;
        }
        for (byte[] file : files) {
            if (file.length == length && equal(request, from, file)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equal(ByteBuf buf, int from, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (buf.getByte(from + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
