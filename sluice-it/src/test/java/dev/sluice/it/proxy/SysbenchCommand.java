package dev.sluice.it.proxy;

import java.util.ArrayList;
import java.util.List;

/** sysbench {@code oltp_read_write} as the tests run it: the fixture's user, 4 tables of 10,000 rows, no TLS. */
final class SysbenchCommand {
    private SysbenchCommand() {}

    /** @param action {@code prepare} or {@code run} */
    static List<String> oltpReadWrite(int port, String psMode, int threads, int seconds, String action) {
        return new ArrayList<>(List.of(
                "sysbench",
                "oltp_read_write",
                "--mysql-host=127.0.0.1",
                "--mysql-port=" + port,
                "--mysql-user=" + ProxyFixture.USER,
                "--mysql-password=" + ProxyFixture.PASSWORD,
                "--mysql-db=sbtest",
                "--mysql-ssl=off",
                "--db-ps-mode=" + psMode,
                "--tables=4",
                "--table-size=10000",
                "--threads=" + threads,
                "--time=" + seconds,
                "--report-interval=0",
                action));
    }
}
