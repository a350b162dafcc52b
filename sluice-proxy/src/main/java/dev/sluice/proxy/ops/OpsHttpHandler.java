package dev.sluice.proxy.ops;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the operators' HTTP requests: {@code GET /metrics} in the Prometheus text format (OpenMetrics when the
 * {@code Accept} header asks for it), {@code GET /health/live} (200 while the process runs), {@code GET
 * /health/ready} (200 while the proxy accepts clients, 503 once it stops), {@code GET /api/servers}, {@code /api/pools},
 * {@code /api/sessions}, {@code /api/config} (the admin interface's tables as JSON arrays of objects), the status page
 * and its own JSON ({@link StatusRoutes}). Anything else: 404, or 405 for another
 * method than GET and HEAD; a request the codec could not read: 400, and the connection is closed.
 */
@ChannelHandler.Sharable
final class OpsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(OpsHttpHandler.class);
    private static final String TEXT = "text/plain; charset=utf-8";

    private static final String API = "/api/";

    private final ProxyMetrics metrics;
    private final BooleanSupplier ready;
    private final ExpositionFormats formats = ExpositionFormats.init();
    /** The admin tables as JSON under /api/NAME (see docs/ADMIN.md). */
    private final Map<String, Supplier<CompletableFuture<OpsTable>>> api;

    private final StatusRoutes status;

    OpsHttpHandler(
            ProxyMetrics metrics,
            BooleanSupplier ready,
            Map<String, Supplier<CompletableFuture<OpsTable>>> api,
            StatusRoutes status) {
        this.metrics = metrics;
        this.ready = ready;
        this.api = Map.copyOf(api);
        this.status = status;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        boolean apiTable = path.startsWith(API) && api.containsKey(path.substring(API.length()));
        boolean known = path.equals("/metrics")
                || path.equals("/health/live")
                || path.equals("/health/ready")
                || StatusRoutes.PATHS.contains(path)
                || apiTable;
        if (!known) {
            send(ctx, request, text(HttpResponseStatus.NOT_FOUND, "not found\n"), true);
            return;
        }
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, r, true);
            return;
        }
        if (apiTable) {
            request.retain(); // answered when the table is built (sessions are read on their own loops)
            api.get(path.substring(API.length()))
                    .get()
                    .whenComplete((table, failure) -> ctx.executor().execute(() -> {
                        try {
                            respond(ctx, request, failure == null ? json(table) : failed(path, failure));
                        } finally {
                            request.release();
                        }
                    }));
            return;
        }
        FullHttpResponse response = switch (path) {
            case "/metrics" -> metrics(request.headers().get(HttpHeaderNames.ACCEPT));
            case "/health/live" -> text(HttpResponseStatus.OK, "live\n");
            case "/health/ready" ->
                ready.getAsBoolean()
                        ? text(HttpResponseStatus.OK, "ready\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
            default -> status.answer(path, query);
        };
        respond(ctx, request, response);
    }

    /** Sends the response (its headers only for HEAD). */
    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        if (request.method().equals(HttpMethod.HEAD)) {
            int length = response.content().readableBytes();
            response.content().clear();
            HttpUtil.setContentLength(response, length);
        }
        send(ctx, request, response, true);
    }

    private static FullHttpResponse json(OpsTable table) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer(OpsJson.render(table), StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        return r;
    }

    private static FullHttpResponse failed(String path, Throwable failure) {
        LOG.warn("{} could not be built: {}", path, failure.toString());
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, path + " could not be built: " + failure + "\n");
    }

    private FullHttpResponse metrics(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) { // protobuf asked for: its library is not on the class path
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteBuf body = Unpooled.buffer(8192);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            writer.write(out, metrics.scrape());
        } catch (IOException | RuntimeException e) {
            body.release();
            LOG.warn("metrics could not be written: {}", e.toString());
            return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics could not be written\n");
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
        return r;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT);
        return r;
    }

    /** Writes the response; keeps the connection when the request asks for it and {@code mayKeep}. */
    private static void send(
            ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean mayKeep) {
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        boolean keep = mayKeep && HttpUtil.isKeepAlive(request);
        if (keep) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof IOException)) {
            LOG.debug("http connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
