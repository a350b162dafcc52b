package dev.sluice.backend;

import dev.sluice.protocol.message.server.OkPacket;
import java.util.List;

/**
 * The complete answer to one COM_QUERY or COM_STMT_EXECUTE: every result set in order and every OK (a
 * multi-statement or a CALL yields several of each). An ERR anywhere fails the command instead, with a
 * {@link ServerException}.
 */
public record QueryResult(List<ResultSet> resultSets, List<OkPacket> oks) {
    public QueryResult {
        resultSets = List.copyOf(resultSets);
        oks = List.copyOf(oks);
    }

    /** The single result set of a plain SELECT. */
    public ResultSet resultSet() {
        if (resultSets.size() != 1) {
            throw new IllegalStateException("expected one result set, got " + resultSets.size());
        }
        return resultSets.get(0);
    }

    /** The last OK: affected rows and last insert id of a statement without a result set. */
    public OkPacket ok() {
        if (oks.isEmpty()) {
            throw new IllegalStateException("the response carried no OK packet");
        }
        return oks.get(oks.size() - 1);
    }
}
