package dev.sluice.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * The cheap answer "this text has no effect on what a session keeps on its connection", for most statements: the
 * first word is not one that changes such state (SET, CREATE, DROP, LOCK, ...), and one pass over the bytes finds no
 * {@code @} (user variables, {@code @@identity}), no {@code ;} (a second statement), no {@code SQL_CALC_FOUND_ROWS},
 * no {@code VALUE} (of NEXT / PREVIOUS VALUE FOR a sequence), no executable comment and no {@code (} after the name
 * of a function that takes or reads such state (GET_LOCK, LAST_INSERT_ID, ...). It does not know strings or
 * comments: it may send a harmless text to the {@link EffectsParser} (false alarm), never the other way round.
 * Whatever could hide a function name from it (a comment or newline before the {@code (}, a quoted name, a label)
 * sends the text to the parser too; {@code StatementEffectsFuzzTest} holds it to that.
 */
final class EffectsFastPath {
    /**
     * The bytes the pass stops at: ( @ ; the letters that start SQL_CALC_FOUND_ROWS and NEXT/PREVIOUS VALUE FOR, and the
     * ! of an executable comment (whose version digits may be glued to a name: {@code /*!50000GET_LOCK(}).
     */
    private static final boolean[] STOP = new boolean[256];

    static {
        for (char c : new char[] {'(', '@', ';', '_', 'V', 'v', '!'}) {
            STOP[c] = true;
        }
    }

    private static final ByteProcessor STOPS = b -> !STOP[b & 0xFF];

    private EffectsFastPath() {}

    /** The text certainly has no effect. */
    static final int NOTHING = 0;
    /** The text must be read by the {@link EffectsParser}. */
    static final int PARSE = 1;
    /** The text is BEGIN [WORK] or START TRANSACTION ... and nothing else: it ends LOCK TABLES. */
    static final int TRANSACTION_START = 2;

    /** True when the text in [from, to) certainly has no effect. */
    static boolean plain(ByteBuf buf, int from, int to) {
        return classify(buf, from, to) == NOTHING;
    }

    /** NOTHING, PARSE or TRANSACTION_START for the text in [from, to). */
    static int classify(ByteBuf buf, int from, int to) {
        int i = SqlLexer.skipSpaces(buf, from, to);
        if (i >= to) {
            return NOTHING;
        }
        boolean start = false;
        byte first = buf.getByte(i);
        if (isLetter(first)) {
            int w = i + 1;
            while (w < to && SqlLexer.isIdentifier(buf.getByte(w))) {
                w++;
            }
            if (changesState(buf, i, w)) {
                return SqlLexer.matches(buf, i, w, "BEGIN") && onlyWork(buf, w, to) ? TRANSACTION_START : PARSE;
            }
            int after = SqlLexer.skipSpaces(buf, w, to);
            byte next = after < to ? buf.getByte(after) : 0;
            if (next == ':'
                    || next == '/'
                    || next == '#'
                    || (next == '-' && after + 1 < to && buf.getByte(after + 1) == '-')) {
                return PARSE; // a label (a compound statement), or a comment that may hide one
            }
            start = SqlLexer.matches(buf, i, w, "START") && isWord(buf, after, to, "TRANSACTION");
        } else if (first != '(') {
            return PARSE; // a comment, an executable comment, anything unusual
        }
        return bytesPlain(buf, i, to) ? (start ? TRANSACTION_START : NOTHING) : PARSE;
    }

    /** What a {@link #pass} does at a byte it stopped at: the position to go on from, or -1 when the text is not plain. */
    @FunctionalInterface
    interface AtStop {
        int next(ByteBuf buf, int from, int found, int to);
    }

    /**
     * One {@link ByteBuf#forEachByte} pass over [from, to) that stops at the bytes {@code stops} does not let through
     * and asks {@code atStop} how to go on: true when it reaches the end.
     */
    static boolean pass(ByteBuf buf, int from, int to, ByteProcessor stops, AtStop atStop) {
        int at = from;
        while (at < to) {
            int found = buf.forEachByte(at, to - at, stops);
            if (found < 0) {
                return true;
            }
            at = atStop.next(buf, from, found, to);
            if (at < 0) {
                return false;
            }
        }
        return true;
    }

    /** The end of the word that the byte at {@code p} is part of. */
    static int wordEnd(ByteBuf buf, int p, int to) {
        int end = p;
        while (end < to && SqlLexer.isIdentifier(buf.getByte(end))) {
            end++;
        }
        return end;
    }

    /** The pass over the bytes from the first word at {@code i}: true when it finds nothing that may have an effect. */
    private static boolean bytesPlain(ByteBuf buf, int i, int to) {
        return pass(buf, i, to, STOPS, EffectsFastPath::atStop);
    }

    private static int atStop(ByteBuf buf, int i, int found, int to) {
        byte b = buf.getByte(found);
        if (b == '(') {
            return plainCall(buf, i, found, EffectsFastPath::effectFunction) ? found + 1 : -1;
        } else if (b == '!') {
            return executableComment(buf, i, found) ? -1 : found + 1;
        } else if (b == '_' || b == 'V' || b == 'v') {
            int start = wordStart(buf, i, found);
            int end = wordEnd(buf, found, to);
            if (SqlLexer.matches(buf, start, end, "SQL_CALC_FOUND_ROWS")
                    || SqlLexer.matches(buf, start, end, "VALUE")) {
                return -1;
            }
            return end;
        }
        return -1; // @ or ;
    }

    /** Which function names matter to a caller of {@link #plainCall}: the word [s, e) of a text starting at from. */
    @FunctionalInterface
    interface Names {
        boolean matters(ByteBuf buf, int from, int s, int e);
    }

    /**
     * Whether the {@code (} at {@code paren} certainly does not call a function that {@code names} cares about: what
     * precedes it (spaces and tabs allowed) is not such a name, nor something that could hide one (a comment's end, a
     * newline after which a line comment may have been, a quoted identifier).
     */
    static boolean plainCall(ByteBuf buf, int from, int paren, Names names) {
        int e = paren;
        while (e > from) {
            byte c = buf.getByte(e - 1);
            if (c == ' ' || c == '\t') {
                e--;
            } else if (SqlLexer.isSpace(c)) {
                return false; // a newline: a line comment may sit between a name and its (
            } else {
                break;
            }
        }
        if (e == from) {
            return true;
        }
        byte c = buf.getByte(e - 1);
        if (c == '/' || c == '`') {
            return false;
        }
        if (!SqlLexer.isIdentifier(c)) {
            return true;
        }
        return !names.matters(buf, from, wordStart(buf, from, e), e);
    }

    /** The functions that take, release or read connection state (those {@link ExpressionEffects} reads). */
    static boolean effectFunction(ByteBuf buf, int from, int s, int e) {
        return switch (e - s) {
            case 6 -> SqlLexer.matches(buf, s, e, "SETVAL");
            case 7 -> SqlLexer.matches(buf, s, e, "NEXTVAL") || SqlLexer.matches(buf, s, e, "LASTVAL");
            case 8 -> SqlLexer.matches(buf, s, e, "GET_LOCK");
            case 9 -> SqlLexer.matches(buf, s, e, "ROW_COUNT");
            case 10 -> SqlLexer.matches(buf, s, e, "FOUND_ROWS");
            case 12 -> SqlLexer.matches(buf, s, e, "RELEASE_LOCK");
            case 14 -> SqlLexer.matches(buf, s, e, "LAST_INSERT_ID");
            case 17 -> SqlLexer.matches(buf, s, e, "RELEASE_ALL_LOCKS");
            default -> false;
        };
    }

    /** Whether the word at {@code at} is {@code upper}. */
    static boolean isWord(ByteBuf buf, int at, int to, String upper) {
        int e = at;
        while (e < to && SqlLexer.isIdentifier(buf.getByte(e))) {
            e++;
        }
        return SqlLexer.matches(buf, at, e, upper);
    }

    /** Whether [from, to) is blank or the word WORK: a BEGIN that starts a transaction, not a compound statement. */
    private static boolean onlyWork(ByteBuf buf, int from, int to) {
        int i = SqlLexer.skipSpaces(buf, from, to);
        int w = i;
        while (w < to && SqlLexer.isIdentifier(buf.getByte(w))) {
            w++;
        }
        if (w > i && !SqlLexer.matches(buf, i, w, "WORK")) {
            return false;
        }
        return SqlLexer.skipSpaces(buf, w, to) == to;
    }

    /** Whether the {@code !} at {@code bang} opens {@code /*!} or {@code /*M!}. */
    private static boolean executableComment(ByteBuf buf, int from, int bang) {
        int p = bang - 1;
        if (p >= from && (buf.getByte(p) | 0x20) == 'm') {
            p--;
        }
        return p - 1 >= from && buf.getByte(p) == '*' && buf.getByte(p - 1) == '/';
    }

    static int wordStart(ByteBuf buf, int from, int e) {
        int s = e;
        while (s > from && SqlLexer.isIdentifier(buf.getByte(s - 1))) {
            s--;
        }
        return s;
    }

    /** Whether a statement starting with the word [s, e) may change connection state by its kind alone. */
    private static boolean changesState(ByteBuf buf, int s, int e) {
        return switch (e - s) {
            case 2 -> SqlLexer.matches(buf, s, e, "XA") || SqlLexer.matches(buf, s, e, "IF");
            case 3 ->
                SqlLexer.matches(buf, s, e, "SET")
                        || SqlLexer.matches(buf, s, e, "USE")
                        || SqlLexer.matches(buf, s, e, "GET");
            case 4 ->
                SqlLexer.matches(buf, s, e, "DROP")
                        || SqlLexer.matches(buf, s, e, "LOCK")
                        || SqlLexer.matches(buf, s, e, "CALL")
                        || SqlLexer.matches(buf, s, e, "LOAD")
                        || SqlLexer.matches(buf, s, e, "LOOP")
                        || SqlLexer.matches(buf, s, e, "SHOW")
                        || SqlLexer.matches(buf, s, e, "CASE");
            case 5 ->
                SqlLexer.matches(buf, s, e, "ALTER")
                        || SqlLexer.matches(buf, s, e, "FLUSH")
                        || SqlLexer.matches(buf, s, e, "BEGIN")
                        || SqlLexer.matches(buf, s, e, "WHILE");
            case 6 ->
                SqlLexer.matches(buf, s, e, "CREATE")
                        || SqlLexer.matches(buf, s, e, "RENAME")
                        || SqlLexer.matches(buf, s, e, "UNLOCK")
                        || SqlLexer.matches(buf, s, e, "BACKUP")
                        || SqlLexer.matches(buf, s, e, "REPEAT");
            case 7 ->
                SqlLexer.matches(buf, s, e, "HANDLER")
                        || SqlLexer.matches(buf, s, e, "PREPARE")
                        || SqlLexer.matches(buf, s, e, "EXECUTE")
                        || SqlLexer.matches(buf, s, e, "DECLARE");
            case 10 -> SqlLexer.matches(buf, s, e, "DEALLOCATE");
            default -> false;
        };
    }

    static boolean isLetter(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
