package dev.sluice.proxy.routing;

import static dev.sluice.proxy.routing.Topologies.P;
import static dev.sluice.proxy.routing.Topologies.R1;
import static dev.sluice.proxy.routing.Topologies.R2;
import static dev.sluice.proxy.routing.Topologies.readOnly;
import static dev.sluice.proxy.routing.Topologies.replica;
import static dev.sluice.proxy.routing.Topologies.topology;
import static dev.sluice.proxy.routing.Topologies.unreachable;
import static dev.sluice.proxy.routing.Topologies.writable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.topology.Topology;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.ServerConfig;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The failover buffer through {@link Router#awaitWriter}, with topologies published by hand in place of the monitor,
 * and the writer-moved call-back. Each waiter records on which thread its outcome ran.
 */
class WriterWaitTest {
    private static final EventLoop LOOP = new DefaultEventLoop();
    private static final long WAIT_SECONDS = 5;

    @AfterAll
    static void stopLoop() {
        LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static Topologies.Harness harness(Duration timeout, int statements) {
        return new Topologies.Harness(
                Topologies.config(RoutingConfig.defaults().withFailoverBuffer(timeout, statements)));
    }

    /** No writer: p read-only (a failover under way), both replicas fine. */
    private static Topology noWriter() {
        return topology(readOnly(P), replica(R1, 0L), replica(R2, 0L));
    }

    /** p writable by a poll at {@code polledAt}, the replicas fine. */
    private static Topology onP(Instant polledAt) {
        return topology(writable(P, polledAt), replica(R1, 0L), replica(R2, 0L));
    }

    /** One statement waiting: how it ended ("found" or "timed out"), and whether that ran on the loop. */
    private static final class Waiter {
        final CompletableFuture<String> outcome = new CompletableFuture<>();

        Runnable found() {
            return () -> outcome.complete(LOOP.inEventLoop() ? "found" : "found off the loop");
        }

        Runnable timedOut() {
            return () -> outcome.complete(LOOP.inEventLoop() ? "timed out" : "timed out off the loop");
        }

        boolean await(Router router, String unreachable) {
            return router.awaitWriter(LOOP, unreachable, found(), timedOut());
        }

        String outcome() throws Exception {
            return outcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Returns once every task queued on the loop before this call has run. */
    private static void drainLoop() throws Exception {
        LOOP.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aWaiterGoesOnWhenAWriterIsPublished() throws Exception {
        try (Topologies.Harness h = harness(Duration.ofSeconds(30), 10)) {
            h.publish(noWriter());
            Waiter w = new Waiter();

            assertThat(w.await(h.router, null)).isTrue();
            drainLoop();
            assertThat(w.outcome).as("before a writer").isNotDone();
            assertThat(h.router.waitingForWriter()).isEqualTo(1);

            h.publish(topology(readOnly(P), writable(R1), replica(R2, 0L)));

            assertThat(w.outcome()).isEqualTo("found");
            assertThat(h.router.waitingForWriter()).isZero();
        }
    }

    @Test
    void aWriterAlreadyKnownCompletesTheWaitAtOnce() throws Exception {
        try (Topologies.Harness h = harness(Duration.ofSeconds(30), 10)) {
            h.publish(onP(Instant.now()));
            Waiter w = new Waiter();

            assertThat(w.await(h.router, null)).isTrue();

            assertThat(w.outcome()).isEqualTo("found");
            assertThat(h.router.waitingForWriter()).isZero();
        }
    }

    @Test
    void aWaiterTimesOutAfterTheFailoverBufferTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        try (Topologies.Harness h = harness(timeout, 10)) {
            h.publish(noWriter());
            Waiter w = new Waiter();
            long start = System.nanoTime();

            assertThat(w.await(h.router, null)).isTrue();

            assertThat(w.outcome()).isEqualTo("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(timeout);
            assertThat(h.router.waitingForWriter()).isZero();

            // a writer found later does not run the statement a second time
            h.publish(onP(Instant.now()));
            drainLoop();
            assertThat(w.outcome()).isEqualTo("timed out");
        }
    }

    @Test
    void aFullBufferRefusesAtOnce() throws Exception {
        try (Topologies.Harness h = harness(Duration.ofSeconds(30), 2)) {
            h.publish(noWriter());
            Waiter first = new Waiter();
            Waiter second = new Waiter();
            Waiter third = new Waiter();

            assertThat(first.await(h.router, null)).isTrue();
            assertThat(second.await(h.router, null)).isTrue();
            assertThat(third.await(h.router, null))
                    .as("a third with room for 2")
                    .isFalse();
            assertThat(h.router.waitingForWriter()).isEqualTo(2);

            h.publish(onP(Instant.now()));
            assertThat(first.outcome()).isEqualTo("found");
            assertThat(second.outcome()).isEqualTo("found");
            drainLoop();
            assertThat(third.outcome).as("the refused one runs neither").isNotDone();

            // room again once the others went on
            Waiter fourth = new Waiter();
            h.publish(noWriter());
            assertThat(fourth.await(h.router, null)).isTrue();
            assertThat(h.router.waitingForWriter()).isEqualTo(1);
        }
    }

    @Test
    void aZeroTimeoutTurnsTheBufferOff() throws Exception {
        try (Topologies.Harness h = harness(Duration.ZERO, 10)) {
            h.publish(noWriter());
            Waiter w = new Waiter();

            assertThat(w.await(h.router, null)).isFalse();

            assertThat(h.router.waitingForWriter()).isZero();
            h.publish(onP(Instant.now()));
            drainLoop();
            assertThat(w.outcome).isNotDone();
        }
    }

    @Test
    void theWriterThatWasUnreachableCountsOnlyOnceAPollAfterTheFailureReachedIt() throws Exception {
        try (Topologies.Harness h = harness(Duration.ofSeconds(30), 10)) {
            Instant before = Instant.now().minusSeconds(1);
            // the monitor still sees p as the writer, by a poll made before the session failed to reach it
            h.publish(onP(before));
            Waiter w = new Waiter();

            assertThat(w.await(h.router, P)).isTrue();
            Instant after = Instant.now();
            drainLoop();
            assertThat(w.outcome).as("p by the poll before the failure").isNotDone();

            h.publish(onP(before));
            drainLoop();
            assertThat(w.outcome).as("p published again by the same old poll").isNotDone();
            assertThat(h.router.waitingForWriter()).isEqualTo(1);

            h.publish(onP(after.plusMillis(1)));

            assertThat(w.outcome()).as("p by a poll after the failure").isEqualTo("found");
        }
    }

    @Test
    void anotherWriterThanTheUnreachableOneCompletesTheWait() throws Exception {
        try (Topologies.Harness h = harness(Duration.ofSeconds(30), 10)) {
            Instant before = Instant.now().minusSeconds(1);
            h.publish(onP(before));
            Waiter w = new Waiter();
            assertThat(w.await(h.router, P)).isTrue();

            h.publish(topology(unreachable(P), writable(R1, before), replica(R2, 0L)));

            assertThat(w.outcome()).isEqualTo("found");
        }
    }

    @Test
    void closingTheRouterEndsTheWaits() throws Exception {
        Topologies.Harness h = harness(Duration.ofSeconds(30), 10);
        h.publish(noWriter());
        Waiter w = new Waiter();
        assertThat(w.await(h.router, null)).isTrue();

        h.close();

        assertThat(w.outcome()).isEqualTo("timed out");
    }

    @Test
    void writerMovedListenersAreCalledOncePerMove() {
        try (Topologies.Harness h = harness(Duration.ofSeconds(30), 10)) {
            List<String> moves = new CopyOnWriteArrayList<>();
            h.router.onWriterMoved(s -> moves.add(s.name()));
            Topology onP = onP(Instant.now());
            Topology onR1 = topology(readOnly(P), writable(R1), replica(R2, 0L));

            h.publish(onP);
            h.publish(onP);
            assertThat(moves).as("the first writer, then the same").isEmpty();

            h.publish(onR1);
            h.publish(onR1);
            assertThat(moves).as("moved to r1, then stayed").containsExactly(R1);

            h.publish(noWriter());
            h.publish(onR1);
            assertThat(moves).as("r1 again after a time without writer").containsExactly(R1);

            h.publish(onP);
            assertThat(moves).as("back to p").containsExactly(R1, P);
            ServerConfig writer = h.router.writer();
            assertThat(writer.name()).isEqualTo(P);
        }
    }
}
