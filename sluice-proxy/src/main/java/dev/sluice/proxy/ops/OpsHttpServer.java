package dev.sluice.proxy.ops;

import dev.sluice.backend.Transport;
import dev.sluice.proxy.config.HttpConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operators' HTTP listener ({@code http.listen}): {@code /metrics}, {@code /health/live}, {@code /health/ready}
 * (see {@link OpsHttpHandler}), on an event loop of its own so that a slow scraper never delays the relay. Requests
 * are bounded: 4 KiB for the request line, 8 KiB of headers, 4 KiB of body, 10 s of silence.
 */
public final class OpsHttpServer implements AutoCloseable {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 4096;
    static final int IDLE_SECONDS = 10;

    private final OwnLoopListener listener;

    private OpsHttpServer(OwnLoopListener listener) {
        this.listener = listener;
    }

    /**
     * Binds the listener.
     *
     * @param ready whether the proxy accepts clients now (what {@code /health/ready} answers)
     * @param api the tables under {@code /api/NAME}, by name (see {@link OpsHttpHandler})
     */
    public static OpsHttpServer start(
            HttpConfig config,
            Transport transport,
            ProxyMetrics metrics,
            BooleanSupplier ready,
            Map<String, Supplier<CompletableFuture<OpsTable>>> api) {
        StatusRoutes status = new StatusRoutes(
                metrics.context().stats(), () -> metrics.context().registry().size());
        OpsHttpHandler handler = new OpsHttpHandler(metrics, ready, api, status);
        OpsHttpServer server = new OpsHttpServer(OwnLoopListener.bind(
                transport,
                config.listen(),
                "http.listen",
                ch -> ch.pipeline()
                        .addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY))
                        .addLast(new HttpObjectAggregator(MAX_BODY))
                        .addLast(handler)));
        status.start(server.listener.loop());
        return server;
    }

    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public void close() {
        listener.close();
    }
}
