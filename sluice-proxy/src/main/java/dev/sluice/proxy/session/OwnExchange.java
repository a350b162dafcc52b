package dev.sluice.proxy.session;

import dev.sluice.protocol.wire.Packet;

/**
 * An exchange of Sluice's own commands on a session's connection ({@link OwnCommands}, {@link
 * TrackerHandBackExchange}): it awaits no client data, relays no rows, and leaves nothing to abandon.
 */
abstract class OwnExchange implements Exchange {
    @Override
    public final void onClientData(Packet packet) {
        packet.release(); // never awaited
    }

    @Override
    public final boolean awaitingClientData() {
        return false;
    }

    @Override
    public final long rows() {
        return 0;
    }

    @Override
    public final void abandon() {}
}
