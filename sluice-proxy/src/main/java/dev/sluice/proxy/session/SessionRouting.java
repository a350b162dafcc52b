package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.config.CausalReads;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.routing.RouteReason;
import dev.sluice.proxy.routing.Router;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a session's next command goes when it holds no connection (pool.mode transaction): the writer, or a reader of
 * its group for a statement that provably only reads, outside a transaction, with autocommit on. Pinning and open
 * transactions never reach here: a session that needs its connection keeps it. Also the session's causal reads: the
 * GTID a read must wait for on its replica, and where that wait already succeeded. Runs on the session's event loop.
 */
final class SessionRouting {
    /**
     * A decision.
     *
     * @param server where the command goes; null when it needs the writer and there is none now (a failover)
     * @param group the group counted for it
     * @param waitGtid the GTID to wait for on the reader before the command runs; null for none
     */
    record Route(ServerConfig server, String group, RouteReason reason, String waitGtid, boolean toWriter) {}

    /** The configuration is read at each decision: a reload's rules and groups apply to the next statement. */
    private final ProxyContext context;

    private final Router router;
    private final boolean split;
    /** Per reader: the GTID a causal wait there succeeded for last (it need not wait for it again). */
    private final Map<String, String> reached = new HashMap<>(4);
    /** The next route is the writer's, as a fallback (set when a causal wait timed out). */
    private boolean writerNext;

    private Route writerRoute;

    private final boolean global;
    /** The last GTID of this session given to the router (global causal reads). */
    private String reportedGtid;

    SessionRouting(ProxyContext context, boolean multiplexed) {
        this.context = context;
        ProxyConfig config = context.config();
        RoutingConfig routing = config.routing();
        this.router = context.router();
        this.split = multiplexed
                && routing.readWriteSplit()
                && router.monitored()
                && !config.groups().readers().isEmpty();
        this.global = routing.causalReads() == CausalReads.GLOBAL;
    }

    /** True when reads may go to readers (transaction mode, a monitor, reader groups, the split on). */
    boolean splitting() {
        return split;
    }

    /** True when {@code packet} must run on the writer (anything but a read or a read-only transaction's start). */
    boolean needsWriter(Packet packet, boolean noBackslashEscapes, boolean preparedRead) {
        ByteBuf payload = packet.payload();
        if (!payload.isReadable() || payload.getUnsignedByte(payload.readerIndex()) != Command.COM_QUERY.code()) {
            return !preparedRead;
        }
        ReadWriteClass c = ReadWriteClassifier.ofQuery(
                payload, payload.readerIndex() + 1, payload.writerIndex(), noBackslashEscapes);
        return c != ReadWriteClass.READ && c != ReadWriteClass.READ_ONLY_TRANSACTION;
    }

    /** The writer now (null during a failover), counted as a write. */
    Route writer() {
        ServerConfig w = router.writer();
        Route cached = writerRoute;
        if (cached == null || cached.server() != w) {
            cached = new Route(w, context.config().groups().writer().name(), RouteReason.WRITE, null, true);
            writerRoute = cached; // the same object for every write while the writer stays: no allocation per lease
        }
        return cached;
    }

    /**
     * The route of {@code packet}, the session's next command.
     *
     * @param autocommit the session's autocommit: off, every statement opens a transaction, which must be the writer's
     * @param user the session's user name; {@code schema} its default database (null for none)
     * @param lastGtid the session's last write's GTID (null for none)
     * @param preparedRead the command is a COM_STMT_EXECUTE of a prepared statement that only reads
     */
    Route route(
            Packet packet,
            boolean autocommit,
            boolean noBackslashEscapes,
            dev.sluice.proxy.config.UserConfig user,
            String schema,
            String lastGtid,
            boolean preparedRead) {
        ByteBuf payload = packet.payload();
        if (writerNext) {
            writerNext = false;
            return new Route(
                    router.writer(), context.config().groups().writer().name(), RouteReason.FALLBACK, null, true);
        }
        if (!split || !autocommit || !payload.isReadable()) {
            return writer();
        }
        if (payload.getUnsignedByte(payload.readerIndex()) != Command.COM_QUERY.code()) {
            return preparedRead ? toReader(readerGroup(user, schema), RouteReason.SPLIT, lastGtid) : writer();
        }
        int from = payload.readerIndex() + 1;
        int to = payload.writerIndex();
        List<RoutingRule> rules = context.config().routing().rules();
        if (!rules.isEmpty()) {
            String text = payload.toString(from, to - from, StandardCharsets.UTF_8);
            for (RoutingRule rule : rules) {
                if (rule.matches(user.name(), schema, text)) {
                    ServerGroup g = context.config().groups().named(rule.group());
                    return g.isWriter()
                            ? new Route(router.writer(), g.name(), RouteReason.RULE, null, true)
                            : toReader(g, RouteReason.RULE, lastGtid);
                }
            }
        }
        ReadWriteClass c = ReadWriteClassifier.ofQuery(payload, from, to, noBackslashEscapes);
        if (c == ReadWriteClass.READ) {
            boolean hinted =
                    ReadWriteClassifier.hint(payload, from, to, noBackslashEscapes) == ReadWriteClassifier.Hint.READER;
            return toReader(
                    readerGroup(user, schema), hinted ? RouteReason.HINT : RouteReason.SPLIT, hinted ? null : lastGtid);
        }
        if (c == ReadWriteClass.READ_ONLY_TRANSACTION) {
            return toReader(readerGroup(user, schema), RouteReason.READ_ONLY_TRANSACTION, lastGtid);
        }
        return writer(); // WRITE, or SAME_CONNECTION without the connection holding its value (state re-applied)
    }

    /**
     * A causal wait on {@code route}'s reader ended: counted; when the GTID arrived that reader need not wait for it
     * again, when not the next lease (for the same read) goes to the writer.
     */
    void waited(Route route, boolean arrived) {
        if (arrived) {
            reached.put(route.server().name(), route.waitGtid());
            router.count(route.group(), route.server().name(), RouteReason.CAUSAL_WAIT);
        } else {
            writerNext();
        }
    }

    /** The next lease goes to the writer (a reader could not be reached, or a causal wait timed out). */
    void writerNext() {
        writerNext = true;
    }

    /** An OK of the session was relayed: {@code lastGtid} is its last write's GTID now (global causal reads). */
    void wrote(String lastGtid) {
        if (global && lastGtid != null && !lastGtid.equals(reportedGtid)) {
            reportedGtid = lastGtid;
            router.wrote(lastGtid);
        }
    }

    /** The reader group for the session's reads: its group when that is a reader group, else the first reader group. */
    private ServerGroup readerGroup(dev.sluice.proxy.config.UserConfig user, String schema) {
        ServerGroup g = context.config().group(user, schema);
        return g.isWriter() ? context.config().groups().readers().get(0) : g;
    }

    private Route toReader(ServerGroup group, RouteReason reason, String sessionGtid) {
        ServerConfig reader = router.reader(group);
        if (reader == null) {
            return new Route(
                    router.writer(), context.config().groups().writer().name(), RouteReason.FALLBACK, null, true);
        }
        String gtid = switch (context.config().routing().causalReads()) {
            case NONE -> null;
            case LOCAL -> sessionGtid;
            case GLOBAL -> router.lastGlobalGtid();
        };
        if (gtid != null && (gtid.equals(reached.get(reader.name())) || router.hasReached(reader.name(), gtid))) {
            gtid = null; // the replica is known to have it
        }
        return new Route(reader, group.name(), reason, gtid, false);
    }
}
