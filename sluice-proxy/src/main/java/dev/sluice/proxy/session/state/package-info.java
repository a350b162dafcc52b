/**
 * Session state that follows a client session from server connection to server connection ({@code pool.mode:
 * transaction}, issue 11, DESIGN invariant 12), built on the server's session trackers, which Sluice's connections
 * always have on ({@code ConnectOptions.sessionTracking}, {@code SessionTracking}).
 *
 * <p>How a session uses these classes (what the tests in this package's test folder do, step by step, against
 * MariaDB 10.11):
 *
 * <ol>
 *   <li>At login: {@link dev.sluice.proxy.session.state.ClientTrackerView#atLogin} from the client's capabilities and
 *       the pool's {@code trackerDefaults()} (known once a connection was set up: the first OK a client can receive
 *       comes from a leased connection, so the view can be built at the first lease), and {@link
 *       dev.sluice.proxy.session.state.SessionState#atLogin} from the client's collation and database. Each pooled
 *       connection has its own {@code SessionState.atLogin} from the pool's collation and database, again after each
 *       reset (COM_RESET_CONNECTION and the pool's SET NAMES / COM_INIT_DB bring it back there).
 *   <li>At each lease: {@code session.reapply(connectionState)}: null (nothing differs: the common case, a few field
 *       reads), unfit (the connection has a database and the session none: use another), or at most one COM_INIT_DB
 *       and one SET written in front of the client's command; their OKs are consumed by Sluice, an ERR makes the
 *       connection unusable for this session. Then {@code connectionState.assign(session)}.
 *   <li>Each OK the server sends (0x00, and 0xFE under DEPRECATE_EOF): {@link
 *       dev.sluice.proxy.session.state.OkRewriter#rewrite} for the client, and {@code session.apply(ok)}: not movable
 *       pins with its reason; {@code readBack()} names variables to read ({@code SessionState.readBackQuery}) before
 *       the connection goes back; {@code trackersChanged()} means the connection's trackers were changed under
 *       Sluice (by a statement the recognition did not flag, e.g. in a procedure): set them again, and pin when in
 *       doubt. EOF packets are relayed as they are.
 *   <li>A client statement naming {@code session_track_} (a SET of its trackers, or a read of them): {@link
 *       dev.sluice.proxy.session.state.TrackerHandBack}. Before it, {@code view.applyStatement()} (the client's own
 *       trackers); its OKs rewritten with {@code view.asReported(...)}; after it, one pipelined write reads back {@code
 *       SessionTracking.SESSION_VALUES}, the order of a list the statement set ({@code SessionTracking.orderProbe()},
 *       while the client's spelling is in place) and the variables the SET named ({@link
 *       dev.sluice.proxy.session.state.SetTargets}); then {@code SessionTracking.TRACKERS_ON}. The session is not
 *       pinned; a statement outside what a read-back covers, or any failure on the way, pins instead. MariaDB
 *       Connector/J 3.x does this once at connect.
 *   <li>At release: {@code connectionState.assign(session)}.
 * </ol>
 *
 * <p>What no tracker reports, so the statement recognition must pin for it: {@code SET TRANSACTION ...} (next
 * transaction only), a user variable assigned in a SELECT ({@code SELECT @u := 1}, {@code SELECT ... INTO @u}) or
 * together with a system variable in one SET, and {@code LAST_INSERT_ID(n)} in a SELECT.
 */
package dev.sluice.proxy.session.state;
