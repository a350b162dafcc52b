package dev.sluice.it.proxy;

/** {@link DriverScenarios} through a Sluice that asks the server for what the client asked it for. */
class DriverResultsTest extends DriverScenarios {
    @Override
    long serverCapabilityMask() {
        return 0;
    }
}
