package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A KILL holds the target's server thread: a connection given up while a KILL may still reach it is discarded. */
class ServerThreadTest {
    @Test
    void aConnectionGivenUpWhileAKillIsOnItsWayIsNotReturned() {
        ServerThread thread = new ServerThread();
        assertThat(thread.hold()).as("no lease yet").isEqualTo(-1);
        thread.leased(42);
        assertThat(thread.hold()).isEqualTo(42);
        assertThat(thread.returned()).as("KILL not answered yet: discard").isTrue();
        assertThat(thread.hold()).as("given up: nothing to kill").isEqualTo(-1);
    }

    @Test
    void aConnectionGivenUpAfterTheKillWasAnsweredIsReturned() {
        ServerThread thread = new ServerThread();
        thread.leased(7);
        assertThat(thread.hold()).isEqualTo(7);
        thread.release();
        assertThat(thread.returned()).isFalse();
        thread.leased(9); // the next lease of the same session
        assertThat(thread.hold()).isEqualTo(9);
        assertThat(thread.hold()).isEqualTo(9);
        thread.release();
        assertThat(thread.returned()).as("one of two KILLs still on its way").isTrue();
    }
}
