package dev.sluice.proxy.session;

/**
 * Why a session in {@code pool.mode: transaction} stays on its server connection: something of the session lives
 * only there and cannot be re-applied on another connection (DESIGN invariant 12). Each reason has a stable
 * lower-case name for logs and counters and a one-line description. Whether a reason can be released, and how,
 * is said on each constant.
 */
public enum PinReason {
    /**
     * COM_STMT_PREPARE, while statements are not re-prepared on whichever connection runs them
     * ({@code ClientSession.PREPARED_ACROSS_CONNECTIONS}); released by a reset.
     */
    PREPARED_STATEMENT("prepared-statement", "a statement prepared with COM_STMT_PREPARE lives on the connection"),
    /** COM_SET_OPTION: the multi-statement option lives on the connection; released by a reset. */
    CONNECTION_OPTION("connection-option", "the session set a connection option (COM_SET_OPTION)"),
    /**
     * The client's statement naming its own {@code session_track_*} variables could not be handed back (a statement
     * whose effects a read-back cannot cover: a user variable or {@code SET TRANSACTION} in the same SET, a one-shot
     * {@code insert_id}, several statements in one text; or a read-back that failed): its connection keeps the
     * client's trackers, and its state is no longer followed; released by a reset. MariaDB Connector/J's own
     * settings at connect are handed back and do not pin.
     */
    TRACKER_SETTINGS("tracker-settings", "the client set its own session trackers"),
    /** From the server's status flags (IN_TRANS); released when the transaction ends. */
    TRANSACTION("transaction", "a transaction is open"),
    /** XA START / XA BEGIN; released by XA COMMIT or XA ROLLBACK. */
    XA("xa", "an XA transaction is open"),
    /** CREATE TEMPORARY TABLE / SEQUENCE; released when every such table was dropped (DROP [TEMPORARY] TABLE). */
    TEMPORARY_TABLE("temporary-table", "a temporary table exists"),
    /** SET @a=, @a :=, SELECT ... INTO @a, LOAD DATA (@a), CALL p(@a): no statement removes a user variable. */
    USER_VARIABLE("user-variable", "a user variable was assigned"),
    /**
     * GET_LOCK('n', t); released by as many RELEASE_LOCK('n') (MariaDB's locks are recursive), or RELEASE_ALL_LOCKS();
     * a non-literal name only by the latter.
     */
    ADVISORY_LOCK("advisory-lock", "an advisory lock (GET_LOCK) may be held"),
    /**
     * LOCK TABLES, FLUSH TABLES ... WITH READ LOCK / FOR EXPORT; released by UNLOCK TABLES (LOCK TABLES also by BEGIN
     * or START TRANSACTION, as the server does).
     */
    TABLE_LOCK("table-lock", "table locks (LOCK TABLES or FLUSH TABLES ... WITH READ LOCK) are held"),
    /** BACKUP STAGE (until BACKUP STAGE END) and BACKUP LOCK (until BACKUP UNLOCK), MariaDB only. */
    BACKUP_LOCK("backup-lock", "a MariaDB backup lock (BACKUP STAGE or BACKUP LOCK) is held"),
    /** HANDLER t OPEN [AS h]; released by HANDLER h CLOSE. */
    HANDLER("handler", "a HANDLER is open"),
    /** PREPARE n FROM ...; released by DEALLOCATE PREPARE n or DROP PREPARE n. */
    SQL_PREPARED_STATEMENT("sql-prepared-statement", "an SQL prepared statement (PREPARE ... FROM) exists"),
    /** SQL_CALC_FOUND_ROWS; released once the next statement has run. */
    FOUND_ROWS("found-rows", "FOUND_ROWS() of a SQL_CALC_FOUND_ROWS select may still be asked for"),
    /** LAST_INSERT_ID(expr) or SET LAST_INSERT_ID = v: a value Sluice cannot learn; lasts until a reset. */
    INSERT_ID("insert-id", "LAST_INSERT_ID() was set to a value Sluice cannot learn"),
    /**
     * NEXTVAL(s), NEXT VALUE FOR s, SETVAL(s, v): the connection keeps s's last value for LASTVAL(s) until it ends; no
     * statement forgets it, so it lasts until a reset. (A column's DEFAULT NEXTVAL cannot be seen.)
     */
    SEQUENCE_VALUE(
            "sequence-value", "a sequence's last value (for LASTVAL / PREVIOUS VALUE FOR) lives on the connection"),
    /** SET TRANSACTION without SESSION/GLOBAL; released after the next transaction ended. */
    TRANSACTION_CHARACTERISTICS("transaction-characteristics", "SET TRANSACTION applies to the next transaction only"),
    /** COM_STMT_EXECUTE with a cursor; released when the cursor is closed or exhausted. */
    CURSOR("cursor", "a prepared statement's cursor is open"),
    /** COM_STMT_SEND_LONG_DATA sent; released when the statement is executed or reset. */
    LONG_DATA("long-data", "long data was sent for a prepared statement not yet executed"),
    /** The session tracker reported a change that no classified statement explains; lasts until a reset. */
    UNCLASSIFIED_STATE("unclassified-state", "the server reported a session state change Sluice cannot classify"),
    /** A result is still being read; released after its last row. */
    RESULT_PENDING("result-pending", "a result is not yet read to its end"),
    /**
     * CALL or a compound statement (BEGIN NOT ATOMIC, IF, WHILE, ...): stored code may take GET_LOCK with any name,
     * which no tracker reports; released only by RELEASE_ALL_LOCKS() or a reset. Stored functions and triggers
     * called from ordinary statements cannot be seen at all.
     */
    STORED_ROUTINE("stored-routine", "stored code ran, which may hold advisory locks Sluice cannot see"),
    /**
     * EXECUTE IMMEDIATE of a non-literal text, or EXECUTE of a statement prepared from a variable: what it did
     * cannot be known; lasts until a reset.
     */
    DYNAMIC_SQL("dynamic-sql", "a statement built at run time was executed; its effects cannot be known");

    private final String label;
    private final String description;

    PinReason(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The stable lower-case name, for logs and counters. */
    public String label() {
        return label;
    }

    /** One line saying what holds the session. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return label;
    }
}
