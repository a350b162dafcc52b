package dev.sluice.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGINT/SIGTERM as an event the main thread waits for, so that it can close the proxy (and the demo's sandbox) in
 * order and exit with 0. With only a shutdown hook the JVM would exit 130/143 and hooks would run in no particular
 * order. A second signal exits at once (shutdown hooks still run, so sandboxes are still removed).
 */
final class ShutdownSignal {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

    private final CountDownLatch latch = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();
    private volatile String reason = "not stopped";

    /** For tests: a signal that only {@link #trigger} fires. */
    ShutdownSignal() {}

    /** Handles SIGINT and SIGTERM from now on. */
    static ShutdownSignal install() {
        ShutdownSignal signal = new ShutdownSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signal.trigger("SIG" + s.getName()));
            } catch (IllegalArgumentException e) {
                // the signal is reserved here (e.g. the JVM runs with -Xrs); the default handling applies
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return signal;
    }

    void trigger(String why) {
        if (signals.incrementAndGet() == 1) {
            reason = why;
            latch.countDown();
        } else {
            log.warn("{} again: exiting now", why);
            System.exit(130);
        }
    }

    void await() throws InterruptedException {
        latch.await();
    }

    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return latch.await(timeout, unit);
    }

    String reason() {
        return reason;
    }
}
