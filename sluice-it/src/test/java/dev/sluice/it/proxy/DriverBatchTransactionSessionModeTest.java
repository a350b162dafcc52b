package dev.sluice.it.proxy;

import dev.sluice.backend.pool.PoolMode;
import org.junit.jupiter.api.BeforeAll;

/** {@link DriverBatchTransactionTest} through a Sluice in pool.mode session (the default, transaction, is the parent's). */
class DriverBatchTransactionSessionModeTest extends DriverBatchTransactionTest {
    @BeforeAll
    static void start() {
        if (fixture != null) {
            fixture.close(); // the parent's (transaction mode), started first by JUnit
        }
        fixture = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.withMode(ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.SESSION),
                0);
    }
}
