package dev.sluice.proxy.admin;

import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.proxy.ops.OpsTable;

/** What an admin command answers: a result set, an OK (with rows affected and a message), or an ERR. */
sealed interface AdminReply {
    record Table(OpsTable table) implements AdminReply {}

    /** @param info the OK's message (the mariadb CLI prints it after "Query OK") */
    record Ok(long affected, String info) implements AdminReply {}

    record Error(ErrPacket err) implements AdminReply {}

    static AdminReply ok(long affected, String info) {
        return new Ok(affected, info);
    }

    static AdminReply error(ErrPacket err) {
        return new Error(err);
    }
}
