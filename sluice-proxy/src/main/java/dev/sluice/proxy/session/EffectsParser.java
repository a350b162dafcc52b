package dev.sluice.proxy.session;

import dev.sluice.proxy.session.StatementEffects.Kind;
import dev.sluice.proxy.session.StatementEffects.Name;
import dev.sluice.proxy.session.StatementEffects.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * The slow path of {@link StatementEffects}: each statement of the text as {@link SqlLexer} tokens (strings, comments
 * and executable comments handled there), read for the statements that change connection state by their kind
 * (CREATE TEMPORARY TABLE, DROP TABLE, RENAME TABLE, HANDLER, PREPARE, EXECUTE, DEALLOCATE, XA, LOCK, UNLOCK, FLUSH
 * ... WITH READ LOCK, BACKUP, SET TRANSACTION, SET STATEMENT ... FOR, USE, CALL, compound statements) and, in any
 * statement, for user-variable assignments, {@code SQL_CALC_FOUND_ROWS} and calls of GET_LOCK, RELEASE_LOCK,
 * RELEASE_ALL_LOCKS, LAST_INSERT_ID, FOUND_ROWS and ROW_COUNT. Where a name is not a literal, the effect is recorded
 * with an unknown (null) name, which only a reset (or RELEASE_ALL_LOCKS()) removes: when in doubt, pin.
 */
final class EffectsParser {
    private final ByteBuf buf;
    private final boolean noBackslashEscapes;
    private final List<Op> ops = new ArrayList<>();
    private int reads;
    private final TokenList tk;
    private final ExpressionEffects expressions;
    private int statement;
    private String cause;
    /** After a compound statement: what follows may not run (IF, loops), so nothing is removed. */
    private boolean compound;

    private EffectsParser(ByteBuf buf, boolean noBackslashEscapes) {
        this.buf = buf;
        this.noBackslashEscapes = noBackslashEscapes;
        this.tk = new TokenList(buf, noBackslashEscapes);
        this.expressions = new ExpressionEffects(tk, this);
    }

    /** A statement-adjacent read (StatementEffects.READS_*). */
    void read(int bit) {
        if (statement > 0 && (bit & StatementEffects.READS_OF_PREVIOUS_STATEMENT) != 0) {
            return; // the statement before it is in the same text, on the same connection
        }
        reads |= bit;
    }

    static StatementEffects parse(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        EffectsParser p = new EffectsParser(buf, noBackslashEscapes);
        SqlLexer lexer = new SqlLexer(buf, from, to, noBackslashEscapes);
        int count = 0;
        for (int t = lexer.next(); ; t = lexer.next()) {
            if (t == SqlLexer.END || t == SqlLexer.SEMICOLON) {
                if (p.tk.n > 0) {
                    p.statement = count++;
                    p.cause = StatementEffects.cause(buf, p.tk.start[0], p.tk.stop[p.tk.n - 1]);
                    p.dispatch(0);
                    p.tk.n = 0;
                }
                if (t == SqlLexer.END) {
                    break;
                }
            } else {
                p.tk.add(lexer);
            }
        }
        if (p.ops.isEmpty() && p.reads == 0 && count <= 1) {
            return StatementEffects.NONE;
        }
        return new StatementEffects(p.ops, Math.max(1, count), p.reads);
    }

    /** The statement whose first token is {@code f}. */
    private void dispatch(int f) {
        if (tk.type[f] != SqlLexer.WORD) {
            expressions.scan(f, tk.n, ExpressionEffects.Mode.PLAIN);
            return;
        }
        if (f + 1 < tk.n && tk.isChar(f + 1, ':')) {
            storedCode(f); // a label: a compound statement
        } else if (tk.is(f, "CREATE")) {
            create(f + 1);
        } else if (tk.is(f, "DROP")) {
            drop(f + 1);
        } else if (tk.is(f, "RENAME")) {
            rename(f + 1);
        } else if (tk.is(f, "ALTER")) {
            alter(f + 1);
        } else if (tk.is(f, "HANDLER")) {
            handler(f + 1);
        } else if (tk.is(f, "PREPARE")) {
            prepare(f + 1);
        } else if (tk.is(f, "EXECUTE")) {
            execute(f + 1);
        } else if (tk.is(f, "DEALLOCATE") && tk.is(f + 1, "PREPARE")) {
            op(Kind.REMOVE, PinReason.SQL_PREPARED_STATEMENT, tk.lowerName(f + 2));
        } else if (tk.is(f, "XA")) {
            if (tk.is(f + 1, "START") || tk.is(f + 1, "BEGIN")) {
                op(Kind.ADD, PinReason.XA, null);
            } else if (tk.is(f + 1, "COMMIT") || tk.is(f + 1, "ROLLBACK")) {
                op(Kind.REMOVE_ALL, PinReason.XA, null);
            }
        } else if (tk.is(f, "LOCK")) {
            if (tk.is(f + 1, "TABLE") || tk.is(f + 1, "TABLES")) {
                op(Kind.ADD, PinReason.TABLE_LOCK, StatementEffects.LOCK_TABLES);
            } else if (tk.is(f + 1, "INSTANCE")) {
                op(Kind.ADD, PinReason.BACKUP_LOCK, new Name(null, "instance"));
            }
        } else if (tk.is(f, "UNLOCK")) {
            if (tk.is(f + 1, "TABLE") || tk.is(f + 1, "TABLES")) {
                op(Kind.REMOVE_ALL, PinReason.TABLE_LOCK, null);
            } else if (tk.is(f + 1, "INSTANCE")) {
                op(Kind.REMOVE, PinReason.BACKUP_LOCK, new Name(null, "instance"));
            }
        } else if (tk.is(f, "FLUSH")) {
            flush(f + 1);
        } else if (tk.is(f, "BACKUP")) {
            backup(f + 1);
        } else if (tk.is(f, "SET")) {
            set(f + 1);
        } else if (tk.is(f, "USE") && f + 1 < tk.n) {
            op(Kind.USE, null, new Name(null, tk.text(f + 1)));
        } else if (tk.is(f, "SHOW")) {
            diagnostics(f + 1);
        } else if (tk.is(f, "GET")) {
            int d = tk.is(f + 1, "CURRENT") || tk.is(f + 1, "STACKED") ? f + 2 : f + 1;
            if (tk.is(d, "DIAGNOSTICS")) {
                read(StatementEffects.READS_DIAGNOSTICS);
                expressions.scan(d + 1, tk.n, ExpressionEffects.Mode.TARGETS);
            }
        } else if (tk.is(f, "CALL")) {
            op(Kind.ADD, PinReason.STORED_ROUTINE, null);
            expressions.scan(f + 1, tk.n, ExpressionEffects.Mode.CALL);
        } else if (tk.is(f, "LOAD")) {
            expressions.scan(f + 1, tk.n, ExpressionEffects.Mode.TARGETS);
        } else if (tk.is(f, "BEGIN")) {
            if (tk.is(f + 1, "NOT") && tk.is(f + 2, "ATOMIC")) {
                storedCode(f);
            } else {
                op(Kind.REMOVE, PinReason.TABLE_LOCK, StatementEffects.LOCK_TABLES); // a transaction's start
            }
        } else if (tk.is(f, "START") && tk.is(f + 1, "TRANSACTION")) {
            op(Kind.REMOVE, PinReason.TABLE_LOCK, StatementEffects.LOCK_TABLES);
        } else if (tk.is(f, "IF")
                || tk.is(f, "WHILE")
                || tk.is(f, "LOOP")
                || tk.is(f, "REPEAT")
                || tk.is(f, "CASE")
                || tk.is(f, "DECLARE")) {
            storedCode(f);
        } else {
            expressions.scan(f + 1, tk.n, ExpressionEffects.Mode.PLAIN);
        }
    }

    private void storedCode(int f) {
        op(Kind.ADD, PinReason.STORED_ROUTINE, null);
        compound = true;
        expressions.scan(f, tk.n, ExpressionEffects.Mode.PLAIN);
    }

    /**
     * CREATE [OR REPLACE] [TEMPORARY] TABLE|SEQUENCE [IF NOT EXISTS] name ...; other CREATEs store code, whose body
     * may hold {@code ;}: what follows in the text could be part of it, so from there on nothing is removed.
     */
    private void create(int i) {
        if (tk.is(i, "OR") && tk.is(i + 1, "REPLACE")) {
            i += 2;
        }
        boolean temporary = tk.is(i, "TEMPORARY");
        if (temporary) {
            i++;
        }
        if (!tk.is(i, "TABLE") && !tk.is(i, "SEQUENCE")) {
            // stored code (a procedure's body may hold ';'): the rest of the text is read for additions only
            compound = true;
            return;
        }
        i++;
        if (tk.is(i, "IF") && tk.is(i + 1, "NOT") && tk.is(i + 2, "EXISTS")) {
            i += 3;
        }
        if (temporary) {
            op(Kind.ADD, PinReason.TEMPORARY_TABLE, tk.name(i));
        }
        expressions.scan(i, tk.n, ExpressionEffects.Mode.PLAIN); // CREATE ... SELECT
    }

    /** DROP [TEMPORARY] TABLE|TABLES|SEQUENCE [IF EXISTS] a, b: each may be a temporary table; DROP PREPARE n. */
    private void drop(int i) {
        if (tk.is(i, "PREPARE")) {
            op(Kind.REMOVE, PinReason.SQL_PREPARED_STATEMENT, tk.lowerName(i + 1));
            return;
        }
        if (tk.is(i, "TEMPORARY")) {
            i++;
        }
        if (!tk.is(i, "TABLE") && !tk.is(i, "TABLES") && !tk.is(i, "SEQUENCE")) {
            return;
        }
        i++;
        if (tk.is(i, "IF") && tk.is(i + 1, "EXISTS")) {
            i += 2;
        }
        while (i < tk.n) {
            Name table = tk.name(i);
            if (table == null) {
                return;
            }
            op(Kind.REMOVE, PinReason.TEMPORARY_TABLE, table);
            i = tk.afterName(i);
            if (i >= tk.n || tk.type[i] != SqlLexer.COMMA) {
                return;
            }
            i++;
        }
    }

    /** RENAME TABLE a [WAIT tk.n | NOWAIT] TO b [, c TO d]: a temporary table keeps its pin under its new name. */
    private void rename(int i) {
        if (!tk.is(i, "TABLE") && !tk.is(i, "TABLES")) {
            return;
        }
        i++;
        while (i < tk.n) {
            Name from = tk.name(i);
            while (i < tk.n && !tk.is(i, "TO")) {
                i++;
            }
            Name to = tk.name(i + 1);
            if (from == null || to == null) {
                return;
            }
            ops.add(new Op(statement, Kind.RENAME, PinReason.TEMPORARY_TABLE, from, to, null, cause));
            i = tk.afterName(i + 1);
            if (i >= tk.n || tk.type[i] != SqlLexer.COMMA) {
                return;
            }
            i++;
        }
    }

    /** ALTER [ONLINE] [IGNORE] TABLE a ... RENAME [TO|AS|=] b (not RENAME COLUMN/INDEX/KEY); other ALTERs: nothing. */
    private void alter(int i) {
        while (tk.is(i, "ONLINE") || tk.is(i, "IGNORE")) {
            i++;
        }
        if (!tk.is(i, "TABLE")) {
            return;
        }
        Name from = tk.name(i + 1);
        int depth = 0;
        for (int k = tk.afterName(i + 1); k < tk.n && from != null; k++) {
            depth += tk.type[k] == SqlLexer.LPAREN ? 1 : tk.type[k] == SqlLexer.RPAREN ? -1 : 0;
            if (depth == 0
                    && tk.is(k, "RENAME")
                    && !tk.is(k + 1, "COLUMN")
                    && !tk.is(k + 1, "INDEX")
                    && !tk.is(k + 1, "KEY")) {
                int j = tk.is(k + 1, "TO") || tk.is(k + 1, "AS") || tk.isChar(k + 1, '=') ? k + 2 : k + 1;
                Name to = tk.name(j);
                if (to != null) {
                    ops.add(new Op(statement, Kind.RENAME, PinReason.TEMPORARY_TABLE, from, to, null, cause));
                }
                return;
            }
        }
    }

    /** HANDLER t OPEN [[AS] h] opens handler h (else t); HANDLER h CLOSE closes it. */
    private void handler(int i) {
        Name table = tk.name(i);
        if (table == null) {
            return;
        }
        int j = tk.afterName(i);
        if (tk.is(j, "OPEN")) {
            int alias = tk.is(j + 1, "AS") ? j + 2 : j + 1;
            boolean named = alias < tk.n && (tk.type[alias] == SqlLexer.WORD || tk.type[alias] == SqlLexer.QUOTED_ID);
            op(Kind.ADD, PinReason.HANDLER, new Name(null, named ? tk.text(alias) : table.name()));
        } else if (tk.is(j, "CLOSE")) {
            op(Kind.REMOVE, PinReason.HANDLER, new Name(null, table.name()));
        }
    }

    /** PREPARE tk.n FROM 'text' (effects known, applied at EXECUTE) or FROM @v (unknown). */
    private void prepare(int i) {
        Name name = tk.lowerName(i);
        if (name == null || !tk.is(i + 1, "FROM")) {
            return;
        }
        StatementEffects inner = literalOnly(i + 2) ? inner(i + 2) : null;
        op(Kind.ADD, PinReason.SQL_PREPARED_STATEMENT, name);
        ops.add(new Op(statement, Kind.PREPARE, null, name, null, inner, cause));
    }

    /** EXECUTE IMMEDIATE 'text' (its effects happen now), EXECUTE IMMEDIATE expr (unknown), EXECUTE n. */
    private void execute(int i) {
        if (tk.is(i, "IMMEDIATE")) {
            if (literalOnly(i + 1)) {
                StatementEffects inner = inner(i + 1);
                for (Op op : inner.ops()) {
                    ops.add(new Op(statement, op.kind(), op.reason(), op.name(), op.to(), op.inner(), cause));
                }
                read(inner.reads());
            } else {
                op(Kind.ADD, PinReason.DYNAMIC_SQL, null);
            }
            return;
        }
        Name name = tk.lowerName(i);
        if (name != null) {
            ops.add(new Op(statement, Kind.EXECUTE, null, name, null, null, cause));
        }
    }

    /** Whether token i is a string literal alone (not concatenated, not an expression), ending the text or before USING. */
    private boolean literalOnly(int i) {
        return i < tk.n && tk.type[i] == SqlLexer.STRING && (i + 1 == tk.n || tk.is(i + 1, "USING"));
    }

    private StatementEffects inner(int i) {
        byte[] text = tk.value(i);
        return StatementEffects.ofQuery(Unpooled.wrappedBuffer(text), 0, text.length, noBackslashEscapes);
    }

    /** SHOW WARNINGS, SHOW ERRORS, SHOW COUNT(*) WARNINGS|ERRORS: the previous statement's diagnostics. */
    private void diagnostics(int i) {
        if (tk.is(i, "COUNT")) {
            i += 4; // COUNT ( * )
        }
        if (tk.is(i, "WARNINGS") || tk.is(i, "ERRORS")) {
            read(StatementEffects.READS_DIAGNOSTICS);
        }
    }

    /** FLUSH [NO_WRITE_TO_BINLOG|LOCAL] TABLE|TABLES [names] WITH READ LOCK | FOR EXPORT. */
    private void flush(int i) {
        boolean tables = false;
        for (int k = i; k < tk.n; k++) {
            tables |= tk.is(k, "TABLE") || tk.is(k, "TABLES");
            if (tables && ((tk.is(k, "READ") && tk.is(k + 1, "LOCK")) || (tk.is(k, "FOR") && tk.is(k + 1, "EXPORT")))) {
                op(Kind.ADD, PinReason.TABLE_LOCK, new Name(null, "flush-tables")); // not ended by BEGIN
                return;
            }
        }
    }

    /** MariaDB's BACKUP STAGE (until BACKUP STAGE END) and BACKUP LOCK t (until BACKUP UNLOCK). */
    private void backup(int i) {
        if (tk.is(i, "STAGE")) {
            Kind kind = tk.is(i + 1, "END") ? Kind.REMOVE : Kind.ADD;
            op(kind, PinReason.BACKUP_LOCK, new Name(null, "stage"));
        } else if (tk.is(i, "LOCK")) {
            op(Kind.ADD, PinReason.BACKUP_LOCK, new Name(null, "lock"));
        } else if (tk.is(i, "UNLOCK")) {
            op(Kind.REMOVE, PinReason.BACKUP_LOCK, new Name(null, "lock"));
        }
    }

    /** SET TRANSACTION (next transaction only), SET STATEMENT ... FOR stmt, SET items. */
    private void set(int i) {
        if (tk.is(i, "TRANSACTION")) {
            op(Kind.ADD, PinReason.TRANSACTION_CHARACTERISTICS, null);
        } else if ((tk.is(i, "SESSION") || tk.is(i, "LOCAL") || tk.is(i, "GLOBAL")) && tk.is(i + 1, "TRANSACTION")) {
            return; // re-applicable session state (or not this session's)
        } else if (tk.is(i, "STATEMENT")) {
            int depth = 0;
            for (int k = i + 1; k < tk.n; k++) {
                depth += tk.type[k] == SqlLexer.LPAREN ? 1 : tk.type[k] == SqlLexer.RPAREN ? -1 : 0;
                if (depth == 0 && tk.is(k, "FOR") && k + 1 < tk.n) {
                    expressions.scan(i + 1, k, ExpressionEffects.Mode.PLAIN);
                    dispatch(k + 1);
                    return;
                }
            }
            expressions.scan(i + 1, tk.n, ExpressionEffects.Mode.PLAIN);
        } else {
            expressions.scan(i, tk.n, ExpressionEffects.Mode.SET);
        }
    }

    void op(Kind kind, PinReason reason, Name name) {
        if (compound && (kind == Kind.REMOVE || kind == Kind.REMOVE_ALL)) {
            return; // inside a compound statement a removal may be in a branch that never runs
        }
        if (reason == PinReason.USER_VARIABLE
                && ops.contains(new Op(statement, kind, reason, name, null, null, cause))) {
            return;
        }
        ops.add(new Op(statement, kind, reason, name, null, null, cause));
    }
}
