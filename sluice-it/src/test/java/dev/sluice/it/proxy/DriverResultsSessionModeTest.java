package dev.sluice.it.proxy;

import dev.sluice.backend.pool.PoolMode;

/** {@link DriverResultsTest} with pool.mode session: each session on one server connection for its life. */
class DriverResultsSessionModeTest extends DriverResultsTest {
    @Override
    PoolMode mode() {
        return PoolMode.SESSION;
    }
}
