package dev.sluice.proxy.capture;

import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.proxy.config.CaptureConfig;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session captures, process-wide (docs/CAPTURES.md): every client link gets a {@link SessionCapture} on its codecs;
 * captures are written as pcapng files into {@code capture.dir}, within its disk budget, on a writer thread of their
 * own: on error (a session's first protocol error, ERR in the middle of a response, or a validator violation once Sluice answered it or the session ended,
 * {@link #onViolation}), on demand ({@link #captureNow}), and continuously for sessions matching the filter.
 */
public final class Captures implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.capture");
    /** Bytes continuous captures may have waiting for the writer thread, together. */
    static final long MAX_BACKLOG = 32L * 1024 * 1024;

    private static final AttributeKey<SessionCapture> KEY = AttributeKey.valueOf("sluice.capture");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT);

    /** A capture written: its file, packets and bytes. */
    public record Written(Path file, int packets, long bytes) {}

    private final CaptureConfig config;
    private final CaptureBudget budget;
    private final ExecutorService writerThread;
    /** The writer thread; a task handed over once it is shut down (Sluice stopping) is dropped. */
    private final Executor writer = this::hand;

    private final Map<Long, SessionCapture> sessions = new ConcurrentHashMap<>();
    private final Set<Path> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong onErrorWritten = new AtomicLong();
    private final AtomicLong onDemandWritten = new AtomicLong();
    private final AtomicLong continuousStarted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final long baseMicros = System.currentTimeMillis() * 1000;
    private final long baseNanos = System.nanoTime();

    public Captures(CaptureConfig config) {
        this.config = config;
        this.budget = new CaptureBudget(config.dir(), config.maxBytes());
        this.writerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-capture-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** The tap for a newly accepted client channel. */
    public FrameTap tap(Channel channel) {
        SessionCapture capture = new SessionCapture(this, channel, config);
        channel.attr(KEY).set(capture);
        channel.closeFuture().addListener(f -> {
            capture.ended();
            sessions.remove(capture.id(), capture);
        });
        return capture;
    }

    /**
     * The hook for the strict validator: a violation on {@code channel}'s link writes the session's capture (when
     * on-error is on; once per session). Any thread.
     */
    public void onViolation(Channel channel) {
        SessionCapture capture = channel.attr(KEY).get();
        if (capture != null) {
            channel.eventLoop().execute(() -> capture.onViolation("validator violation"));
        }
    }

    /**
     * Writes session {@code id}'s capture now, into {@code fileName} in capture.dir (null: a name of Sluice's).
     * Completes with null when no session has that id; fails with a message an operator can read otherwise.
     */
    public CompletableFuture<Written> captureNow(long id, String fileName) {
        SessionCapture capture = sessions.get(id);
        if (capture == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Written> done = new CompletableFuture<>();
        capture.channel().eventLoop().execute(() -> {
            List<CapturedFrame> frames = capture.snapshot();
            write(capture, frames, "on-demand", "on demand", fileName).whenComplete((w, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(w);
                }
            });
        });
        return done;
    }

    /** Writes a capture of {@code frames} on the writer thread. */
    CompletableFuture<Written> write(
            SessionCapture capture, List<CapturedFrame> frames, String trigger, String reason, String fileName) {
        long id = capture.id();
        InetSocketAddress client = capture.client();
        InetSocketAddress server = capture.server();
        return CompletableFuture.supplyAsync(
                () -> {
                    Path file = fileName == null
                            ? config.dir().resolve(name(id, trigger))
                            : config.dir().resolve(fileName);
                    byte[] bytes = CaptureFile.whole(id, client, server, reason, frames);
                    if (!reserve(bytes.length)) {
                        refused();
                        LOG.warn(
                                "capture of session {} ({}) refused: capture.max-bytes {} reached",
                                id,
                                reason,
                                config.maxBytes());
                        throw new IllegalStateException("the capture of session " + id + " (" + bytes.length
                                + " bytes) does not fit in capture.max-bytes (" + config.maxBytes() + ")");
                    }
                    try {
                        // written aside, then moved: a reader never sees half a file
                        Path part = file.resolveSibling(file.getFileName() + ".part");
                        Files.write(part, bytes);
                        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        budget.release(bytes.length);
                        LOG.warn("capture of session {} could not be written to {}: {}", id, file, e.toString());
                        throw new IllegalStateException("writing " + file + " failed: " + e.getMessage(), e);
                    }
                    (trigger.equals("on-error") ? onErrorWritten : onDemandWritten).incrementAndGet();
                    LOG.info(
                            "capture of session {} ({}): {} packets, {} bytes in {}",
                            id,
                            reason,
                            frames.size(),
                            bytes.length,
                            file);
                    return new Written(file, frames.size(), bytes.length);
                },
                writer);
    }

    private static String name(long id, String trigger) {
        return "sluice-session-" + id + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + trigger
                + ".pcapng";
    }

    /** Whether a session of {@code user} from {@code client} is captured continuously. */
    boolean continuousMatch(String user, InetSocketAddress client) {
        if (!config.continuous()) {
            return false;
        }
        boolean userMatches =
                config.continuousUser() == null || config.continuousUser().equals(user);
        return userMatches && (config.continuousClient() == null || sameAddress(config.continuousClient(), client));
    }

    private static boolean sameAddress(String configured, InetSocketAddress client) {
        InetAddress a = client.getAddress();
        if (a == null) {
            return false;
        }
        try {
            return InetAddress.getByName(configured).equals(a); // a literal address: no lookup
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts writing {@code capture}'s session as it goes (event loop). */
    ContinuousCapture startContinuous(SessionCapture capture) {
        long id = capture.id();
        Path file = config.dir().resolve(name(id, "continuous"));
        open.add(file);
        ContinuousCapture c =
                new ContinuousCapture(this, file, new TcpFraming(capture.client(), capture.server()), writer, backlog);
        c.start(
                CaptureFile.header(id, capture.client(), capture.server(), "continuous (capture.continuous)"),
                capture.snapshot());
        continuousStarted.incrementAndGet();
        LOG.info(
                "capture: session {} of {} from {} written as it goes to {}",
                id,
                capture.user(),
                CaptureFile.format(capture.client()),
                file);
        return c;
    }

    boolean reserve(long bytes) {
        return budget.reserve(bytes, open);
    }

    void refused() {
        refused.incrementAndGet();
    }

    void closed(Path file) {
        open.remove(file);
    }

    void register(SessionCapture capture) {
        sessions.put(capture.id(), capture);
    }

    boolean onError() {
        return config.onError();
    }

    long micros() {
        return baseMicros + (System.nanoTime() - baseNanos) / 1000;
    }

    public CaptureConfig config() {
        return config;
    }

    /** Captures written on error so far. */
    public long onErrorWritten() {
        return onErrorWritten.get();
    }

    /** Captures written on demand so far. */
    public long onDemandWritten() {
        return onDemandWritten.get();
    }

    /** Sessions written continuously so far. */
    public long continuousStarted() {
        return continuousStarted.get();
    }

    /** Captures refused (or continuous ones stopped) by the disk budget. */
    public long refusedByBudget() {
        return refused.get();
    }

    private void hand(Runnable task) {
        try {
            writerThread.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("capture: Sluice is stopping, a capture task is dropped");
        }
    }

    /** Stops taking captures; what was handed to the writer thread is still written. */
    @Override
    public void close() {
        writerThread.shutdown();
    }
}
