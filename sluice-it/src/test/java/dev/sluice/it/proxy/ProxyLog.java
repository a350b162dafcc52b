package dev.sluice.it.proxy;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Sluice's connection log (logger {@code dev.sluice.proxy.connection}, one line per connection event) as seen by
 * a test: what the proxy itself says about a session, e.g. whether its client used TLS and which plugin it
 * authenticated with. Lines are written on event loops, possibly after the client already got its answer, so
 * reads wait for the line.
 */
final class ProxyLog implements AutoCloseable {
    private static final String LOGGER = "dev.sluice.proxy.connection";

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }
    };

    ProxyLog() {
        appender.setName("proxy-log-" + System.identityHashCode(this));
        appender.start();
        ((Logger) LoggerFactory.getLogger(LOGGER)).addAppender(appender);
    }

    /** The first line starting with {@code prefix}, waiting up to 5 s for it. */
    String awaitLine(String prefix) {
        return await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> lines.stream()
                                .filter(l -> l.startsWith(prefix))
                                .findFirst()
                                .orElse(null),
                        l -> l != null);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        ((Logger) LoggerFactory.getLogger(LOGGER)).detachAppender(appender);
        appender.stop();
    }
}
