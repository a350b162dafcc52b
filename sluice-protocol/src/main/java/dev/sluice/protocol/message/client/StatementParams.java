package dev.sluice.protocol.message.client;

import dev.sluice.protocol.binary.BinaryType;
import java.util.List;

/**
 * What decoding COM_STMT_EXECUTE needs to know about a prepared statement and the packet does not say: how
 * many parameters it has (num_params of its COM_STMT_PREPARE_OK) and, for an execution that does not resend
 * types (new_params_bound_flag 0), the types bound by the last one that did. The session keeps this per
 * connection; MariaDB's statement id 0xFFFFFFFF ("the statement prepared last") must be resolved by it too.
 */
@FunctionalInterface
public interface StatementParams {
    /** Knows no statements: every COM_STMT_EXECUTE fails to decode. */
    StatementParams NONE = statementId -> -1;

    /** The statement's parameter count, or -1 when no such statement was prepared. */
    int paramCount(long statementId);

    /** Types bound by the statement's last execution with new_params_bound_flag 1; null when none. */
    default List<BinaryType> boundTypes(long statementId) {
        return null;
    }
}
