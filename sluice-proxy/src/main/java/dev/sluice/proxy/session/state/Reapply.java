package dev.sluice.proxy.session.state;

import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComInitDb;
import dev.sluice.protocol.message.client.ComQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * What makes a connection's session state a session's ({@link SessionState#reapply}): at most a COM_INIT_DB and
 * one SET statement, to be written together before the session's own command (pipelined: no round trip of their
 * own; each answers with an OK whose tracker entries the caller applies to the connection's state, or with an ERR
 * that makes the connection unusable for this session).
 *
 * @param database the database to choose with COM_INIT_DB, or null when it is already the session's
 * @param set the SET statement, or null when no variable differs
 * @param fit false when the connection cannot take this session's state at all (it has a database and the
 *     session has none: MariaDB cannot go back to no database); the caller uses another connection
 */
public record Reapply(String database, String set, boolean fit) {
    static final Reapply UNFIT = new Reapply(null, null, false);

    Reapply(String database, String set) {
        this(database, set, true);
    }

    /** The commands in the order to send them (the database first: a SET never depends on it). */
    public List<ClientCommand> commands() {
        if (!fit) {
            throw new IllegalStateException("the connection cannot take this session's state");
        }
        List<ClientCommand> commands = new ArrayList<>(2);
        if (database != null) {
            commands.add(ComInitDb.of(database));
        }
        if (set != null) {
            commands.add(ComQuery.of(set));
        }
        return commands;
    }
}
