package dev.sluice.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells reads from writes in a COM_QUERY text, for the read/write split ({@link ReadWriteClass}; the rules are in
 * docs/ROUTING.md). {@code READ} only when the text provably only reads; anything not recognised is {@code WRITE}.
 *
 * <p>Two speeds, as {@link StatementEffects}. A text that starts with a word that never reads only ({@code INSERT},
 * {@code SET}, {@code CALL}, ...) is WRITE from its first word; a {@code SELECT} is READ after one {@link
 * ByteBuf#forEachByte} pass that finds no {@code @ ; /}, no word FOR, LOCK or INTO and no {@code (} after a function
 * name that matters (or a qualified one): no String, no allocation. That pass does not know strings or comments: it
 * may send a harmless text to the token path (a false alarm), never the other way round. Every other text is read
 * token by token with the {@link SqlLexer} (strings, comments, executable comments, NO_BACKSLASH_ESCAPES), and the
 * {@link EffectsParser} says whether it assigns user variables, takes locks or reads connection-bound values.
 */
public final class ReadWriteClassifier {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.routing");

    /** A routing hint written in a comment: {@code /* sluice:writer *}{@code /}, {@code /* sluice:reader *}{@code /}. */
    public enum Hint {
        NONE,
        WRITER,
        READER
    }

    /** The fast path's answers. */
    static final int FAST_READ = 0;

    static final int FAST_WRITE = 1;
    static final int PARSE = 2;

    /** The bytes the SELECT pass stops at: ( @ ; / and the first letters of FOR, LOCK and INTO. */
    private static final boolean[] STOP = new boolean[256];

    static {
        for (char c : "(@;/FfLlIi".toCharArray()) {
            STOP[c] = true;
        }
    }

    private static final ByteProcessor STOPS = b -> !STOP[b & 0xFF];
    private static final ByteProcessor SLASH = b -> b != '/';

    /** Server-wide values that differ between the writer and its replicas: the writer answers them. */
    private static final Set<String> SERVER_VARIABLES =
            Set.of("READ_ONLY", "INNODB_READ_ONLY", "SERVER_ID", "SERVER_UUID", "HOSTNAME", "LAST_GTID");

    private ReadWriteClassifier() {}

    /**
     * The class of the COM_QUERY text in [from, to) of {@code buf} (after the command byte), hints applied: a writer
     * hint makes it WRITE; a reader hint changes nothing (it cannot send a write to a replica) and is logged at debug
     * level when the text is not READ.
     */
    public static ReadWriteClass ofQuery(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        return switch (fastPath(buf, from, to)) {
            case FAST_READ -> ReadWriteClass.READ;
            case FAST_WRITE -> LOG.isDebugEnabled() ? parse(buf, from, to, noBackslashEscapes) : ReadWriteClass.WRITE;
            default -> parse(buf, from, to, noBackslashEscapes);
        };
    }

    /**
     * The hint written in the text's comments ({@code /* sluice:writer *}{@code /} or {@code /* sluice:reader
     * *}{@code /}, any case, anywhere, in any statement of the text; WRITER when both are). Not in strings, line
     * comments or executable comments' code.
     */
    public static Hint hint(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        if (buf.forEachByte(from, to - from, SLASH) < 0) {
            return Hint.NONE;
        }
        SqlLexer lexer = new SqlLexer(buf, from, to, noBackslashEscapes);
        while (lexer.next() != SqlLexer.END) {
            // the lexer collects the hints of the comments it skips
        }
        return hintOf(lexer.hints);
    }

    private static Hint hintOf(int hints) {
        if ((hints & SqlLexer.HINT_WRITER) != 0) {
            return Hint.WRITER;
        }
        return (hints & SqlLexer.HINT_READER) != 0 ? Hint.READER : Hint.NONE;
    }

    /** FAST_READ, FAST_WRITE or PARSE for the text in [from, to), without allocating. */
    static int fastPath(ByteBuf buf, int from, int to) {
        int i = SqlLexer.skipSpaces(buf, from, to);
        if (i >= to) {
            return FAST_WRITE; // an empty text: the writer answers its error
        }
        if (!EffectsFastPath.isLetter(buf.getByte(i))) {
            return PARSE; // a comment, a parenthesised select, anything unusual
        }
        int w = i + 1;
        while (w < to && SqlLexer.isIdentifier(buf.getByte(w))) {
            w++;
        }
        int after = SqlLexer.skipSpaces(buf, w, to);
        byte next = after < to ? buf.getByte(after) : 0;
        if (next == ':' || next == '#' || (next == '-' && after + 1 < to && buf.getByte(after + 1) == '-')) {
            return PARSE; // a label (a compound statement), or a comment that may hide one
        }
        if (SqlLexer.matches(buf, i, w, "SELECT")) {
            return selectBytesPlain(buf, i, to) ? FAST_READ : PARSE;
        }
        return mayRead(buf, i, w) ? PARSE : FAST_WRITE;
    }

    /** Whether a text starting with the word [s, e) may be READ, SAME_CONNECTION or READ_ONLY_TRANSACTION. */
    private static boolean mayRead(ByteBuf buf, int s, int e) {
        return switch (e - s) {
            case 4 ->
                SqlLexer.matches(buf, s, e, "WITH")
                        || SqlLexer.matches(buf, s, e, "SHOW")
                        || SqlLexer.matches(buf, s, e, "DESC");
            case 5 -> SqlLexer.matches(buf, s, e, "START");
            case 6 -> SqlLexer.matches(buf, s, e, "VALUES");
            case 7 -> SqlLexer.matches(buf, s, e, "EXPLAIN") || SqlLexer.matches(buf, s, e, "ANALYZE");
            case 8 -> SqlLexer.matches(buf, s, e, "DESCRIBE");
            default -> false;
        };
    }

    /** The pass over a SELECT's bytes from its first word at {@code i}: true when nothing in it may write. */
    private static boolean selectBytesPlain(ByteBuf buf, int i, int to) {
        return EffectsFastPath.pass(buf, i, to, STOPS, ReadWriteClassifier::atStop);
    }

    private static int atStop(ByteBuf buf, int i, int found, int to) {
        byte b = buf.getByte(found);
        if (b == '(') {
            return EffectsFastPath.plainCall(buf, i, found, ReadWriteClassifier::routedFunction) ? found + 1 : -1;
        } else if (b == '@' || b == ';' || b == '/') {
            return -1;
        }
        int s = EffectsFastPath.wordStart(buf, i, found);
        int e = EffectsFastPath.wordEnd(buf, found, to);
        boolean locksOrStores = SqlLexer.matches(buf, s, e, "FOR")
                || SqlLexer.matches(buf, s, e, "LOCK")
                || SqlLexer.matches(buf, s, e, "INTO");
        return locksOrStores ? -1 : e;
    }

    /**
     * The functions that keep a statement off a replica (the word [s, e) before a {@code (}): those of {@link
     * EffectsFastPath}, the other lock and replication functions, LOAD_FILE, and any qualified name ({@code db.f()}: a
     * stored function, which may write); a name at the start of a line goes to the token path too.
     */
    static boolean routedFunction(ByteBuf buf, int from, int s, int e) {
        int p = s;
        while (p > from && (buf.getByte(p - 1) == ' ' || buf.getByte(p - 1) == '\t')) {
            p--;
        }
        if (p > from && (buf.getByte(p - 1) == '.' || SqlLexer.isSpace(buf.getByte(p - 1)))) {
            return true; // db.f( or db . f(; after a newline a line comment may hide the dot: the token path decides
        }
        if (EffectsFastPath.effectFunction(buf, from, s, e)) {
            return true;
        }
        return switch (e - s) {
            case 9 -> SqlLexer.matches(buf, s, e, "LOAD_FILE");
            case 12 -> SqlLexer.matches(buf, s, e, "IS_USED_LOCK") || SqlLexer.matches(buf, s, e, "IS_FREE_LOCK");
            case 15 ->
                SqlLexer.matches(buf, s, e, "MASTER_POS_WAIT")
                        || SqlLexer.matches(buf, s, e, "SOURCE_POS_WAIT")
                        || SqlLexer.matches(buf, s, e, "BINLOG_GTID_POS");
            case 16 -> SqlLexer.matches(buf, s, e, "MASTER_GTID_WAIT");
            default -> false;
        };
    }

    /** The token path: every statement of the text, then the effects, then the hints. */
    static ReadWriteClass parse(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        SqlLexer lexer = new SqlLexer(buf, from, to, noBackslashEscapes);
        TokenList tk = new TokenList(buf, noBackslashEscapes);
        ReadWriteClass result = null;
        for (int t = lexer.next(); ; t = lexer.next()) {
            if (t == SqlLexer.END || t == SqlLexer.SEMICOLON) {
                if (tk.n > 0) {
                    ReadWriteClass c = statement(tk);
                    result = result == null ? c : result.and(c);
                    tk.n = 0;
                }
                if (t == SqlLexer.END) {
                    break;
                }
            } else {
                tk.add(lexer);
            }
        }
        if (result == null) {
            result = ReadWriteClass.WRITE; // nothing but comments: the writer answers
        }
        if (result == ReadWriteClass.READ || result == ReadWriteClass.SAME_CONNECTION) {
            result = withEffects(result, EffectsParser.parse(buf, from, to, noBackslashEscapes));
        }
        Hint hint = hintOf(lexer.hints);
        if (hint == Hint.WRITER) {
            return ReadWriteClass.WRITE;
        }
        if (hint == Hint.READER && result != ReadWriteClass.READ && LOG.isDebugEnabled()) {
            LOG.debug(
                    "sluice:reader hint ignored, the statement is {}: {}",
                    result,
                    StatementEffects.cause(buf, from, to));
        }
        return result;
    }

    /**
     * A read that changes connection state (a user variable, a lock, a sequence, LAST_INSERT_ID(x)) is WRITE; one that
     * reads a connection-bound value is SAME_CONNECTION. {@code SQL_CALC_FOUND_ROWS} alone keeps a read a read: the
     * FOUND_ROWS() that follows is SAME_CONNECTION.
     */
    private static ReadWriteClass withEffects(ReadWriteClass c, StatementEffects effects) {
        if (effects.isNone()) {
            return c;
        }
        Set<PinReason> added = effects.added();
        added.remove(PinReason.FOUND_ROWS);
        if (!added.isEmpty() || !effects.removed().isEmpty()) {
            return ReadWriteClass.WRITE;
        }
        return effects.reads() != 0 ? ReadWriteClass.SAME_CONNECTION : c;
    }

    /** One statement's tokens. */
    private static ReadWriteClass statement(TokenList tk) {
        if (tk.type[0] == SqlLexer.LPAREN) {
            return select(tk, 0);
        }
        if (tk.type[0] != SqlLexer.WORD) {
            return ReadWriteClass.WRITE;
        }
        if (tk.is(0, "SELECT") || tk.is(0, "WITH") || tk.is(0, "VALUES")) {
            return select(tk, 0);
        } else if (tk.is(0, "SHOW")) {
            return show(tk, 1);
        } else if (tk.is(0, "DESC") || tk.is(0, "DESCRIBE") || tk.is(0, "EXPLAIN")) {
            return explain(tk, 1, true);
        } else if (tk.is(0, "ANALYZE")) {
            return explain(tk, 1, false); // ANALYZE SELECT runs the select; ANALYZE TABLE writes statistics
        } else if (tk.is(0, "START") && tk.is(1, "TRANSACTION")) {
            return transaction(tk, 2);
        }
        return ReadWriteClass.WRITE;
    }

    /**
     * A SELECT (also WITH, VALUES, parenthesised, UNION ...) from token {@code from}: WRITE when it locks rows (FOR
     * UPDATE, FOR SHARE, LOCK IN SHARE MODE), has an INTO, is a WITH of a data-changing statement, calls a
     * function that keeps it off a replica, or reads a server-identity variable; SAME_CONNECTION when it reads a user
     * variable.
     */
    private static ReadWriteClass select(TokenList tk, int from) {
        ReadWriteClass c = ReadWriteClass.READ;
        boolean with = tk.is(from, "WITH"); // WITH ... UPDATE|DELETE|INSERT (MySQL 8; MariaDB refuses it)
        for (int i = from; i < tk.n; i++) {
            int t = tk.type[i];
            if (tk.isChar(i, '@')) {
                if (tk.isChar(i + 1, '@')) {
                    int j = i + 2;
                    if ((tk.is(j, "SESSION") || tk.is(j, "LOCAL") || tk.is(j, "GLOBAL")) && tk.isChar(j + 1, '.')) {
                        j += 2;
                    }
                    if (serverVariable(tk, j)) {
                        return ReadWriteClass.WRITE;
                    }
                    i = j;
                } else if (!userAtHost(tk, i) && (tk.isName(i + 1) || opensString(tk, i + 1))) {
                    c = ReadWriteClass.SAME_CONNECTION; // reads a user variable (an assignment is WRITE by its effects)
                }
                continue;
            }
            if (t == SqlLexer.WORD) {
                if (tk.is(i, "INTO")
                        || (tk.is(i, "FOR") && (tk.is(i + 1, "UPDATE") || tk.is(i + 1, "SHARE")))
                        || (tk.is(i, "LOCK") && tk.is(i + 1, "IN"))
                        || (with && (tk.is(i, "UPDATE") || tk.is(i, "DELETE")))
                        || (with && (tk.is(i, "INSERT") || tk.is(i, "REPLACE")) && !opens(tk, i + 1))) {
                    return ReadWriteClass.WRITE;
                }
            }
            if ((t == SqlLexer.WORD || t == SqlLexer.QUOTED_ID) && opens(tk, i + 1)) {
                if (tk.isChar(i - 1, '.') || routedFunction(tk, i)) {
                    return ReadWriteClass.WRITE;
                }
            }
        }
        return c;
    }

    private static boolean opensString(TokenList tk, int i) {
        return i < tk.n && tk.type[i] == SqlLexer.STRING;
    }

    private static boolean opens(TokenList tk, int i) {
        return i < tk.n && tk.type[i] == SqlLexer.LPAREN;
    }

    /**
     * The token-path twin of {@link #routedFunction(ByteBuf, int, int, int)} (quoted names call the same function);
     * the reads of connection-bound values (LAST_INSERT_ID(), FOUND_ROWS(), ...) are the {@link EffectsParser}'s.
     */
    private static boolean routedFunction(TokenList tk, int i) {
        for (String name : ROUTED_FUNCTIONS) {
            if (tk.isFunction(i, name)) {
                return true;
            }
        }
        return false;
    }

    private static final String[] ROUTED_FUNCTIONS = {
        "GET_LOCK",
        "RELEASE_LOCK",
        "RELEASE_ALL_LOCKS",
        "IS_USED_LOCK",
        "IS_FREE_LOCK",
        "NEXTVAL",
        "SETVAL",
        "LOAD_FILE",
        "MASTER_POS_WAIT",
        "SOURCE_POS_WAIT",
        "MASTER_GTID_WAIT",
        "BINLOG_GTID_POS"
    };

    /** {@code @@x}, where x (at j) differs between servers ({@code @@read_only}, {@code @@gtid_*}, ...). */
    private static boolean serverVariable(TokenList tk, int j) {
        if (j >= tk.n || tk.type[j] != SqlLexer.WORD) {
            return false;
        }
        String name = tk.text(j).toUpperCase(java.util.Locale.ROOT);
        return SERVER_VARIABLES.contains(name) || name.startsWith("GTID_");
    }

    /** The {@code @} of {@code 'user'@'host'}: glued to the name before it. */
    private static boolean userAtHost(TokenList tk, int i) {
        return i > 0
                && tk.stop[i - 1] == tk.start[i]
                && (tk.type[i - 1] == SqlLexer.STRING
                        || tk.type[i - 1] == SqlLexer.QUOTED_ID
                        || tk.type[i - 1] == SqlLexer.WORD)
                && !tk.is(i - 1, "INTO");
    }

    /**
     * SHOW: READ for the data dictionary (databases, tables, columns, indexes, CREATE ..., grants, character sets,
     * ...); SAME_CONNECTION for the previous statement's WARNINGS / ERRORS and the connection's PROFILES; WRITE for
     * the rest (status, variables, processlist, replication and binlog state: each server has its own).
     */
    private static ReadWriteClass show(TokenList tk, int i) {
        if (tk.is(i, "EXTENDED")) {
            i++;
        }
        if (tk.is(i, "FULL")) {
            i++;
        }
        if (tk.is(i, "DATABASES")
                || tk.is(i, "SCHEMAS")
                || tk.is(i, "TABLES")
                || tk.is(i, "COLUMNS")
                || tk.is(i, "FIELDS")
                || tk.is(i, "INDEX")
                || tk.is(i, "INDEXES")
                || tk.is(i, "KEYS")
                || tk.is(i, "TRIGGERS")
                || tk.is(i, "EVENTS")
                || tk.is(i, "CHARACTER")
                || tk.is(i, "CHARSET")
                || tk.is(i, "COLLATION")
                || tk.is(i, "ENGINES")
                || tk.is(i, "PLUGINS")
                || tk.is(i, "PRIVILEGES")
                || tk.is(i, "GRANTS")
                || tk.is(i, "CREATE")
                || (tk.is(i, "STORAGE") && tk.is(i + 1, "ENGINES"))
                || (tk.is(i, "TABLE") && tk.is(i + 1, "STATUS"))
                || ((tk.is(i, "PROCEDURE") || tk.is(i, "FUNCTION"))
                        && (tk.is(i + 1, "STATUS") || tk.is(i + 1, "CODE")))) {
            return ReadWriteClass.READ;
        }
        if (tk.is(i, "WARNINGS")
                || tk.is(i, "ERRORS")
                || tk.is(i, "COUNT")
                || tk.is(i, "PROFILE")
                || tk.is(i, "PROFILES")) {
            return ReadWriteClass.SAME_CONNECTION;
        }
        return ReadWriteClass.WRITE;
    }

    /**
     * DESC / DESCRIBE / EXPLAIN [EXTENDED | PARTITIONS | FORMAT = f] of a select (the select's class) or of a table
     * (READ); ANALYZE [FORMAT = f] of a select. Anything else (EXPLAIN UPDATE, EXPLAIN FOR CONNECTION, ANALYZE TABLE):
     * WRITE.
     */
    private static ReadWriteClass explain(TokenList tk, int i, boolean table) {
        while (tk.is(i, "EXTENDED") || tk.is(i, "PARTITIONS") || tk.is(i, "ANALYZE")) {
            i++;
        }
        if (tk.is(i, "FORMAT") && tk.isChar(i + 1, '=')) {
            i += 3;
        }
        if (opens(tk, i) || tk.is(i, "SELECT") || tk.is(i, "WITH") || tk.is(i, "VALUES")) {
            return select(tk, i);
        }
        boolean name = i < tk.n && (tk.type[i] == SqlLexer.WORD || tk.type[i] == SqlLexer.QUOTED_ID);
        if (table
                && name
                && !tk.is(i, "INSERT")
                && !tk.is(i, "UPDATE")
                && !tk.is(i, "DELETE")
                && !tk.is(i, "REPLACE")
                && !tk.is(i, "FOR")) {
            return ReadWriteClass.READ; // DESCRIBE t [column]
        }
        return ReadWriteClass.WRITE;
    }

    /** START TRANSACTION characteristics: READ ONLY without READ WRITE. */
    private static ReadWriteClass transaction(TokenList tk, int i) {
        boolean readOnly = false;
        for (int k = i; k < tk.n; k++) {
            if (tk.is(k, "READ") && tk.is(k + 1, "WRITE")) {
                return ReadWriteClass.WRITE;
            }
            readOnly |= tk.is(k, "READ") && tk.is(k + 1, "ONLY");
        }
        return readOnly ? ReadWriteClass.READ_ONLY_TRANSACTION : ReadWriteClass.WRITE;
    }
}
