package dev.sluice.proxy.ops;

import dev.sluice.proxy.BuildVersion;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The live status page and the JSON it reads besides the admin tables: {@code GET /} (one self-contained HTML file
 * from the jar: styles and script inline, nothing from another host), {@code GET /api/digests?order=&limit=} and
 * {@code GET /api/history} (the last ten minutes of commands, errors and sessions, see {@link StatsHistory}).
 */
final class StatusRoutes {
    static final List<String> PATHS = List.of("/", "/api/digests", "/api/history");
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 10_000;

    private final byte[] page;
    private final StatementStats stats;
    private final StatsHistory history;

    StatusRoutes(StatementStats stats, IntSupplier clients) {
        this.page = resource("status.html");
        this.stats = stats;
        this.history = new StatsHistory(stats, clients);
    }

    /** Samples the history every {@link StatsHistory#INTERVAL_SECONDS} on {@code loop}, from now on. */
    void start(EventLoop loop) {
        history.sample();
        loop.scheduleAtFixedRate(
                history::sample, StatsHistory.INTERVAL_SECONDS, StatsHistory.INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    /** The answer to a GET of {@code path}, which is one of {@link #PATHS}. */
    FullHttpResponse answer(String path, QueryStringDecoder query) {
        return switch (path) {
            case "/" -> response(page, "text/html; charset=utf-8");
            case "/api/digests" -> digests(query);
            default -> json(history.json(BuildVersion.get()));
        };
    }

    /** {@code /api/digests?order=COLUMN&limit=N}: largest first; an empty array when digests are off. */
    private FullHttpResponse digests(QueryStringDecoder query) {
        if (stats.digests() == null) {
            return json("[]");
        }
        String order = parameter(query, "order", DigestsTable.DEFAULT_ORDER);
        if (!DigestsTable.ORDERS.containsKey(order)) {
            order = DigestsTable.DEFAULT_ORDER;
        }
        return json(OpsJson.render(DigestsTable.build(stats.digests(), order, true, limit(query))));
    }

    private static int limit(QueryStringDecoder query) {
        String text = parameter(query, "limit", Integer.toString(DEFAULT_LIMIT));
        try {
            return Math.max(0, Math.min(MAX_LIMIT, Integer.parseInt(text)));
        } catch (NumberFormatException e) {
            return DEFAULT_LIMIT;
        }
    }

    private static String parameter(QueryStringDecoder query, String name, String otherwise) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? otherwise : values.get(0);
    }

    static FullHttpResponse json(String body) {
        return response(body.getBytes(StandardCharsets.UTF_8), "application/json; charset=utf-8");
    }

    private static FullHttpResponse response(byte[] body, String type) {
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
