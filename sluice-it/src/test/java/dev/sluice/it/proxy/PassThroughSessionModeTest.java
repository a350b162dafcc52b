package dev.sluice.it.proxy;

import dev.sluice.backend.pool.PoolMode;
import org.junit.jupiter.api.BeforeAll;

/** {@link PassThroughTest} through a Sluice in pool.mode session (the default, transaction, is the parent's). */
class PassThroughSessionModeTest extends PassThroughTest {
    @BeforeAll
    static void start() {
        if (fixture != null) {
            fixture.close(); // the parent's (transaction mode), started first by JUnit
        }
        fixture = new ProxyFixture(
                db.sandbox(),
                ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), false, dev.sluice.proxy.config.Limits.defaults()),
                        PoolMode.SESSION),
                0);
    }
}
