package dev.sluice.proxy.session;

import dev.sluice.proxy.session.StatementEffects.Kind;
import dev.sluice.proxy.session.StatementEffects.Name;
import dev.sluice.proxy.session.StatementEffects.Op;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What of one session lives only on its server connection, and why: the pin reasons that hold it, the objects of each
 * (temporary tables, advisory locks with their counts, handlers, SQL prepared statements, user variables), the
 * statement that started each and since when. Fed after each statement with its {@link StatementEffects} and
 * whether the server answered OK (or a result) or ERR; the lead adds the reasons only the protocol shows
 * (transaction, cursor, long-data, result-pending, unclassified-state) with {@link #pin} and {@link #unpin}.
 *
 * <p>Not thread-safe: used on the session's event loop. {@link PinCounters} carry the process-wide view.
 *
 * <p>On ERR, only what the statement may have done before failing is kept: expression-level effects (GET_LOCK,
 * user variables, LAST_INSERT_ID(expr), stored code) are added, statement-level ones (CREATE TEMPORARY TABLE, HANDLER
 * OPEN, PREPARE, XA START, LOCK TABLES, SET TRANSACTION) are not, and nothing is removed. For a multi-statement text
 * that failed, which statement failed is unknown: every addition is kept, nothing removed. When in doubt, pin.
 */
public final class SessionPins {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.pins");
    private static final EnumSet<PinReason> EXPRESSION_LEVEL = EnumSet.of(
            PinReason.ADVISORY_LOCK,
            PinReason.USER_VARIABLE,
            PinReason.INSERT_ID,
            PinReason.STORED_ROUTINE,
            PinReason.DYNAMIC_SQL);
    /** Marks a PREPARE whose text was not a literal. */
    private static final StatementEffects UNKNOWN = new StatementEffects(List.of(), 1, 0);

    /** One reason that holds the session now: its objects (with counts), first cause and since when. */
    public record Pin(PinReason reason, Map<String, Integer> objects, String cause, long sinceNanos, Instant since) {
        @Override
        public String toString() {
            String held = Duration.ofNanos(System.nanoTime() - sinceNanos).toMillis() + " ms";
            return reason.label() + (objects.isEmpty() ? "" : objects.keySet()) + " for " + held + " since '" + cause
                    + "'";
        }
    }

    private static final class Held {
        final Map<Name, Integer> objects = new LinkedHashMap<>(2);
        /** Held without a name: a nameless reason, or a name Sluice cannot know (only a reset removes it). */
        boolean unnamed;

        final String cause;
        final long sinceNanos = System.nanoTime();
        final Instant since = Instant.now();

        Held(String cause) {
            this.cause = cause;
        }

        boolean empty() {
            return !unnamed && objects.isEmpty();
        }
    }

    private final long sessionId;
    private final PinCounters counters;
    /** Allocated at the first pin: most sessions never have one. */
    private EnumMap<PinReason, Held> held;
    /** SQL PREPARE name (lower case) to the effects its EXECUTE has. */
    private Map<String, StatementEffects> prepared;

    private long statements;
    private long foundRowsAt = -1;
    private long characteristicsAt = -1;
    private boolean closed;

    public SessionPins(long sessionId, PinCounters counters) {
        this.sessionId = sessionId;
        this.counters = counters;
    }

    /**
     * A statement (COM_QUERY text, or COM_STMT_EXECUTE of a statement prepared with these effects) has been answered:
     * {@code ok} when the answer was OK or a complete result (for a multi-statement text: every result), false on
     * ERR. {@code schema} is the current database when it started (null: none), for unqualified temporary tables.
     * Call it for every COM_QUERY and COM_STMT_EXECUTE, also with {@link StatementEffects#NONE}: it is what ends a
     * {@code found-rows} pin ("until the next statement has run").
     */
    public void applied(StatementEffects effects, boolean ok, String schema) {
        statements++;
        if (foundRowsAt >= 0 && foundRowsAt < statements) {
            foundRowsAt = -1;
            remove(PinReason.FOUND_ROWS, null, true);
        }
        if (effects.ops().isEmpty()) {
            return;
        }
        apply(effects, ok, schema, 0);
    }

    private void apply(StatementEffects effects, boolean ok, String schema, int depth) {
        String db = schema;
        boolean single = effects.statements() == 1;
        for (Op op : effects.ops()) {
            if (op.kind() == Kind.USE) {
                db = op.name().name();
                continue;
            }
            if (!ok && op.kind() != Kind.ADD && op.kind() != Kind.EXECUTE) {
                continue;
            }
            switch (op.kind()) {
                case ADD -> {
                    if (ok || !single || EXPRESSION_LEVEL.contains(op.reason())) {
                        added(op, db, effects.statements() - 1);
                    }
                }
                case REMOVE -> remove(op.reason(), resolve(op.reason(), op.name(), db), false);
                case REMOVE_ALL -> remove(op.reason(), null, true);
                case RENAME -> rename(resolve(op.reason(), op.name(), db), resolve(op.reason(), op.to(), db));
                case PREPARE -> preparedMap().put(op.name().name(), op.inner() == null ? UNKNOWN : op.inner());
                case EXECUTE -> execute(op, ok, db, depth);
                default -> {}
            }
        }
    }

    private void added(Op op, String db, int lastStatement) {
        PinReason reason = op.reason();
        if (reason == PinReason.FOUND_ROWS) {
            if (op.statement() < lastStatement) {
                return; // the next statement of the same text already ran
            }
            foundRowsAt = statements;
        } else if (reason == PinReason.TRANSACTION_CHARACTERISTICS) {
            characteristicsAt = statements;
        }
        add(reason, resolve(reason, op.name(), db), op.cause());
    }

    private void execute(Op op, boolean ok, String db, int depth) {
        StatementEffects inner =
                prepared == null ? null : prepared.get(op.name().name());
        if (inner == null || inner == UNKNOWN || depth > 2) {
            add(PinReason.DYNAMIC_SQL, null, op.cause());
        } else {
            apply(inner, ok, db, depth + 1);
        }
    }

    private Name resolve(PinReason reason, Name name, String db) {
        if (name == null || reason != PinReason.TEMPORARY_TABLE || name.schema() != null) {
            return name;
        }
        return new Name(db, name.name());
    }

    private void rename(Name from, Name to) {
        Held h = held == null ? null : held.get(PinReason.TEMPORARY_TABLE);
        if (h != null && h.objects.remove(from) != null) {
            h.objects.put(to, 1);
        }
    }

    /**
     * The next transaction has ended (the server's IN_TRANS went off, or an autocommit statement completed outside
     * a transaction): ends a {@code transaction-characteristics} pin set by an earlier statement.
     */
    public void transactionEnded() {
        if (characteristicsAt >= 0 && characteristicsAt < statements) {
            characteristicsAt = -1;
            remove(PinReason.TRANSACTION_CHARACTERISTICS, null, true);
        }
    }

    /** COM_RESET_CONNECTION or COM_CHANGE_USER succeeded: the server forgot everything of the session. */
    public void clear() {
        if (held != null) {
            for (PinReason reason : EnumSet.copyOf(held.keySet())) {
                remove(reason, null, true);
            }
        }
        prepared = null;
        foundRowsAt = -1;
        characteristicsAt = -1;
    }

    /** The session ended: its pins leave the gauges. Nothing is counted after this. */
    public void close() {
        clear();
        closed = true;
    }

    /** A reason only the protocol shows (transaction, cursor, long-data, result-pending, unclassified-state). */
    public void pin(PinReason reason, String object, String cause) {
        add(reason, object == null ? null : new Name(null, object), cause);
    }

    /** The object (null: a nameless reason) no longer holds the session. */
    public void unpin(PinReason reason, String object) {
        remove(reason, object == null ? null : new Name(null, object), object == null);
    }

    private void add(PinReason reason, Name object, String cause) {
        if (closed) {
            return;
        }
        if (held == null) {
            held = new EnumMap<>(PinReason.class);
        }
        boolean wasPinned = !held.isEmpty();
        Held h = held.get(reason);
        if (h == null) {
            h = new Held(cause);
            held.put(reason, h);
            counters.pinStarted(reason);
            if (!wasPinned) {
                counters.sessionPinned();
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("session {}: pinned by {} ({}) after '{}'", sessionId, reason, object, cause);
            }
        }
        if (object == null) {
            h.unnamed = true;
        } else if (reason == PinReason.ADVISORY_LOCK) {
            h.objects.merge(object, 1, Integer::sum); // a session may take the same lock again: released as often
        } else {
            h.objects.putIfAbsent(object, 1);
        }
    }

    private void remove(PinReason reason, Name object, boolean all) {
        Held h = held == null ? null : held.get(reason);
        if (h == null) {
            return;
        }
        if (all) {
            h.objects.clear();
            h.unnamed = false;
        } else if (object != null) {
            h.objects.computeIfPresent(object, (k, count) -> count > 1 ? count - 1 : null);
        }
        if (h.empty()) {
            held.remove(reason);
            counters.pinEnded(reason);
            if (held.isEmpty()) {
                counters.sessionUnpinned();
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "session {}: {} released after {} ms",
                        sessionId,
                        reason,
                        (System.nanoTime() - h.sinceNanos) / 1_000_000);
            }
        }
    }

    private Map<String, StatementEffects> preparedMap() {
        if (prepared == null) {
            prepared = new HashMap<>();
        }
        return prepared;
    }

    /** Whether anything holds the session on its connection. */
    public boolean isPinned() {
        return held != null && !held.isEmpty();
    }

    public boolean holds(PinReason reason) {
        return held != null && held.containsKey(reason);
    }

    public Set<PinReason> reasons() {
        return held == null ? EnumSet.noneOf(PinReason.class) : EnumSet.copyOf(held.keySet());
    }

    /** Each reason that holds the session, with its objects, cause and since when. */
    public List<Pin> pins() {
        List<Pin> out = new ArrayList<>();
        if (held != null) {
            held.forEach((reason, h) -> out.add(new Pin(reason, objects(reason), h.cause, h.sinceNanos, h.since)));
        }
        return out;
    }

    /** The named objects of a reason ({@code db.t} for temporary tables) with their counts. */
    public Map<String, Integer> objects(PinReason reason) {
        Held h = held == null ? null : held.get(reason);
        Map<String, Integer> out = new LinkedHashMap<>();
        if (h != null) {
            h.objects.forEach((name, count) -> out.put(name.toString(), count));
        }
        return out;
    }

    /** For the debug log and the admin interface: every pin, or "not pinned". */
    public String describe() {
        return isPinned() ? pins().toString() : "not pinned";
    }
}
