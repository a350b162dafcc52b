package dev.sluice.proxy.session;

import io.netty.buffer.ByteBuf;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What one COM_QUERY text (every statement of a multi-statement text) or one COM_STMT_PREPARE text does to the
 * state a session keeps on its server connection: the pin reasons it adds and removes, with the object names where
 * they matter (temporary tables, advisory locks, handlers, SQL prepared statements), in text order; and whether it
 * reads a statement-adjacent value (FOUND_ROWS(), ROW_COUNT(), LAST_INSERT_ID(), warnings) that the previous
 * statement's connection holds. {@link SessionPins} applies it once the server answered.
 *
 * <p>Most statements have no effect and are told apart cheaply ({@link #ofQuery}): the first word, and one
 * {@link ByteBuf#forEachByte} pass that stops only at {@code @ ( ; _}; they get the shared {@link #NONE}, with no
 * allocation. Only the others are read token by token with the {@link SqlLexer} ({@link EffectsParser}).
 */
public final class StatementEffects {
    /** What the statement does, in text order. */
    public enum Kind {
        /** The reason now holds (for {@code name}, when it names an object; a null name: unknown). */
        ADD,
        /** The object {@code name} of the reason is gone (once, for counted advisory locks). */
        REMOVE,
        /** Every object of the reason is gone (RELEASE_ALL_LOCKS(), UNLOCK TABLES). */
        REMOVE_ALL,
        /** A temporary table {@code name}, if there is one, is now {@code to} (RENAME TABLE, ALTER TABLE RENAME). */
        RENAME,
        /** The current database is now {@code name} (USE, for the unqualified names that follow). */
        USE,
        /** PREPARE {@code name} FROM a text whose effects are {@code inner} (null: not a literal, unknown). */
        PREPARE,
        /** EXECUTE {@code name}: the effects stored by its PREPARE happen now. */
        EXECUTE
    }

    /** A name, with its database where one was written ({@code db.t}); null schema: the current database. */
    public record Name(String schema, String name) {
        @Override
        public String toString() {
            return schema == null ? name : schema + "." + name;
        }
    }

    /** One effect: in statement {@code statement} (0-based) of the text; {@code cause} is its first 100 bytes. */
    public record Op(
            int statement, Kind kind, PinReason reason, Name name, Name to, StatementEffects inner, String cause) {}

    /** Reads of values the previous statement left on its connection. */
    public static final int READS_FOUND_ROWS = 1;

    public static final int READS_ROW_COUNT = 2;
    public static final int READS_LAST_INSERT_ID = 4;
    /** SHOW WARNINGS / ERRORS, GET DIAGNOSTICS, {@code @@warning_count}, {@code @@error_count}. */
    public static final int READS_DIAGNOSTICS = 8;
    /** LASTVAL(s) / PREVIOUS VALUE FOR s: the last value this connection generated (also by a column DEFAULT). */
    public static final int READS_SEQUENCE_VALUE = 16;

    /**
     * The reads of values only the statement just before has (not LAST_INSERT_ID or a sequence's value, which last):
     * recorded for the first statement of a text only, as the others follow their predecessor on the same connection.
     */
    static final int READS_OF_PREVIOUS_STATEMENT = READS_FOUND_ROWS | READS_ROW_COUNT | READS_DIAGNOSTICS;

    /** No effect at all: shared, returned for most statements. */
    public static final StatementEffects NONE = new StatementEffects(List.of(), 1, 0);

    /** The object of LOCK TABLES (which a transaction's start ends, unlike FLUSH TABLES ... WITH READ LOCK). */
    static final Name LOCK_TABLES = new Name(null, "lock-tables");

    /** BEGIN [WORK] or START TRANSACTION ...: ends LOCK TABLES. Shared, as NONE. */
    static final StatementEffects TRANSACTION_START = new StatementEffects(
            List.of(new Op(0, Kind.REMOVE, PinReason.TABLE_LOCK, LOCK_TABLES, null, null, "START TRANSACTION")), 1, 0);

    private static final int CAUSE_BYTES = 100;

    private final List<Op> ops;
    private final int statements;
    private final int reads;
    private final long adds;
    private final long removes;

    StatementEffects(List<Op> ops, int statements, int reads) {
        this.ops = List.copyOf(ops);
        this.statements = statements;
        this.reads = reads;
        long a = 0;
        long r = 0;
        for (Op op : this.ops) {
            if (op.kind() == Kind.ADD) {
                a |= 1L << op.reason().ordinal();
            } else if (op.kind() == Kind.REMOVE || op.kind() == Kind.REMOVE_ALL) {
                r |= 1L << op.reason().ordinal();
            }
        }
        this.adds = a;
        this.removes = r;
    }

    /**
     * The effects of the COM_QUERY text in [from, to) of {@code buf} (after the command byte); {@link #NONE} for
     * most statements, without allocating.
     */
    public static StatementEffects ofQuery(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        return switch (EffectsFastPath.classify(buf, from, to)) {
            case EffectsFastPath.NOTHING -> NONE;
            case EffectsFastPath.TRANSACTION_START -> TRANSACTION_START;
            default -> EffectsParser.parse(buf, from, to, noBackslashEscapes);
        };
    }

    /**
     * The effects of a COM_STMT_PREPARE text: they happen at each COM_STMT_EXECUTE of the statement (the lead keeps
     * them with the statement id and applies them after each execution). A {@code ?} is never a literal: {@code
     * GET_LOCK(?, 0)} is a lock of unknown name.
     */
    public static StatementEffects ofPrepare(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        return ofQuery(buf, from, to, noBackslashEscapes);
    }

    /** The first 100 bytes of [from, to), for the record of what caused a pin. */
    static String cause(ByteBuf buf, int from, int to) {
        int end = Math.min(to, from + CAUSE_BYTES);
        return buf.toString(from, end - from, java.nio.charset.StandardCharsets.UTF_8);
    }

    public boolean isNone() {
        return ops.isEmpty() && reads == 0;
    }

    /** Whether the text adds this reason (once applied after success). */
    public boolean adds(PinReason reason) {
        return (adds & (1L << reason.ordinal())) != 0;
    }

    /** Whether the text removes (some object of) this reason. */
    public boolean removes(PinReason reason) {
        return (removes & (1L << reason.ordinal())) != 0;
    }

    public Set<PinReason> added() {
        return reasons(adds);
    }

    public Set<PinReason> removed() {
        return reasons(removes);
    }

    private static Set<PinReason> reasons(long mask) {
        EnumSet<PinReason> out = EnumSet.noneOf(PinReason.class);
        for (PinReason r : PinReason.values()) {
            if ((mask & (1L << r.ordinal())) != 0) {
                out.add(r);
            }
        }
        return out;
    }

    /** Whether the text reads FOUND_ROWS(): the previous statement's connection holds the answer. */
    public boolean readsFoundRows() {
        return (reads & READS_FOUND_ROWS) != 0;
    }

    /** Whether the text reads ROW_COUNT(): the previous statement's connection holds the answer. */
    public boolean readsRowCount() {
        return (reads & READS_ROW_COUNT) != 0;
    }

    /** Whether the text reads LAST_INSERT_ID() (also spelled {@code @@identity}, {@code @@last_insert_id}). */
    public boolean readsLastInsertId() {
        return (reads & READS_LAST_INSERT_ID) != 0;
    }

    /** Whether the text reads the previous statement's warnings or errors (SHOW WARNINGS, GET DIAGNOSTICS, ...). */
    public boolean readsDiagnostics() {
        return (reads & READS_DIAGNOSTICS) != 0;
    }

    /**
     * Whether the text reads a sequence's last value of the connection (LASTVAL, PREVIOUS VALUE FOR): right only on
     * the connection that generated it, and a column's DEFAULT NEXTVAL(s) generates values no statement text shows.
     */
    public boolean readsSequenceValue() {
        return (reads & READS_SEQUENCE_VALUE) != 0;
    }

    /** A mask of READS_* bits. */
    public int reads() {
        return reads;
    }

    public List<Op> ops() {
        return ops;
    }

    /** The number of statements in the text (split at top-level {@code ;}). */
    public int statements() {
        return statements;
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (Op op : ops) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(op.kind().name().toLowerCase(java.util.Locale.ROOT));
            if (op.reason() != null) {
                out.append(':').append(op.reason().label());
            }
            if (op.name() != null) {
                out.append('(').append(op.name());
                if (op.to() != null) {
                    out.append("->").append(op.to());
                }
                out.append(')');
            }
        }
        if (reads != 0) {
            out.append(out.isEmpty() ? "" : " ").append("reads");
            out.append(readsFoundRows() ? ":found-rows" : "");
            out.append(readsRowCount() ? ":row-count" : "");
            out.append(readsLastInsertId() ? ":last-insert-id" : "");
            out.append(readsDiagnostics() ? ":diagnostics" : "");
            out.append(readsSequenceValue() ? ":sequence-value" : "");
        }
        return out.toString();
    }
}
