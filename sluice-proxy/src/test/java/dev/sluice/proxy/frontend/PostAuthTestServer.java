package dev.sluice.proxy.frontend;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.binary.ColumnFlags;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.TextRow;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listener running the real {@link ClientHandshakeHandler} and, after it, a test double for the command
 * phase (only what drivers need to finish connecting and run {@code SELECT 1}): a SELECT without FROM gets
 * one row whose columns are its select-list items, {@code @@variables} answered from a small table of
 * typical values; other queries get OK; COM_PING OK; COM_QUIT closes.
 */
final class PostAuthTestServer implements AutoCloseable {
    private static final Map<String, String> VARIABLES = Map.ofEntries(
            Map.entry("auto_increment_increment", "1"),
            Map.entry("character_set_client", "utf8mb4"),
            Map.entry("character_set_connection", "utf8mb4"),
            Map.entry("character_set_results", "utf8mb4"),
            Map.entry("character_set_server", "utf8mb4"),
            Map.entry("collation_server", "utf8mb4_general_ci"),
            Map.entry("collation_connection", "utf8mb4_general_ci"),
            Map.entry("init_connect", ""),
            Map.entry("interactive_timeout", "28800"),
            Map.entry("license", "GPL"),
            Map.entry("lower_case_table_names", "0"),
            Map.entry("max_allowed_packet", "67108864"),
            Map.entry("net_write_timeout", "60"),
            Map.entry("performance_schema", "0"),
            Map.entry("query_cache_size", "0"),
            Map.entry("query_cache_type", "OFF"),
            Map.entry("sql_mode", "STRICT_TRANS_TABLES"),
            Map.entry("system_time_zone", "UTC"),
            Map.entry("time_zone", "SYSTEM"),
            Map.entry("transaction_isolation", "REPEATABLE-READ"),
            Map.entry("tx_isolation", "REPEATABLE-READ"),
            Map.entry("transaction_read_only", "0"),
            Map.entry("tx_read_only", "0"),
            Map.entry("wait_timeout", "28800"),
            Map.entry("version_comment", "Sluice test double"),
            Map.entry("version", "8.0.36"));
    private static final Pattern SELECT =
            Pattern.compile("(?is)\\s*(?:/\\*.*?\\*/\\s*)*select\\s+(.*?)(?:\\s+limit\\s+\\d+)?\\s*;?\\s*");
    private static final Pattern VARIABLE = Pattern.compile("(?i)@@(?:session\\.|global\\.|local\\.)?(\\w+)");
    private static final Pattern ALIAS = Pattern.compile("(?is)(.*?)\\s+as\\s+`?(\\w+)`?");
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int BINARY = 63;

    final List<AuthenticatedClient> clients = new CopyOnWriteArrayList<>();
    final List<String> queries = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    PostAuthTestServer(FrontendSettings settings) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ClientHandshakeHandler.install(ch.pipeline(), settings);
                        ch.pipeline().addLast("commands", new Commands());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Commands extends SimpleChannelInboundHandler<Packet> {
        private long capabilities;
        private PacketSequence sequence;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof AuthenticatedClient client) {
                capabilities = client.capabilities();
                sequence = client.sequence();
                clients.add(client);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Packet packet) {
            ByteBuf payload = packet.payload();
            Command command = payload.isReadable() ? Command.of(payload.getUnsignedByte(payload.readerIndex())) : null;
            if (command == Command.COM_QUIT) {
                ctx.close();
                return;
            }
            if (command == Command.COM_QUERY) {
                String sql = ComQuery.decode(payload.duplicate(), capabilities).sql();
                queries.add(sql);
                Matcher m = SELECT.matcher(sql);
                if (m.matches() && !m.group(1).toLowerCase(Locale.ROOT).contains(" from ")) {
                    sendRow(ctx, m.group(1));
                } else {
                    sendOk(ctx, OkPacket.HEADER);
                }
            } else if (command == Command.COM_PING
                    || command == Command.COM_INIT_DB
                    || command == Command.COM_SET_OPTION
                    || command == Command.COM_RESET_CONNECTION) {
                sendOk(ctx, OkPacket.HEADER);
            } else {
                ErrPacket err = new ErrPacket(1047, "08S01", "Unknown command");
                sendWith(ctx, out -> err.encode(out, capabilities));
            }
            ctx.flush();
            sequence.reset();
        }

        private void sendRow(ChannelHandlerContext ctx, String selectList) {
            List<String> names = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            List<Boolean> numeric = new ArrayList<>();
            for (String item : splitTopLevel(selectList)) {
                String expr = item.trim();
                String name = expr;
                Matcher alias = ALIAS.matcher(expr);
                if (alias.matches()) {
                    expr = alias.group(1).trim();
                    name = alias.group(2);
                }
                Matcher variable = VARIABLE.matcher(expr);
                String value;
                if (variable.matches()) {
                    value = VARIABLES.get(variable.group(1).toLowerCase(Locale.ROOT));
                } else if (expr.matches("-?\\d{1,18}")) {
                    value = expr;
                } else if (expr.length() >= 2 && (expr.startsWith("'") && expr.endsWith("'"))) {
                    value = expr.substring(1, expr.length() - 1);
                } else {
                    value = null;
                }
                names.add(name);
                values.add(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
                numeric.add(value != null && value.matches("-?\\d{1,18}") && expr.equals(value));
            }
            boolean deprecateEof = Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF);
            ByteBuf count = ctx.alloc().buffer();
            ColumnCount.of(names.size()).encode(count, capabilities);
            send(ctx, count);
            for (int i = 0; i < names.size(); i++) {
                ColumnDefinition41 column = numeric.get(i)
                        ? ColumnDefinition41.of(
                                "",
                                "",
                                names.get(i),
                                BINARY,
                                21,
                                ColumnType.LONGLONG,
                                ColumnFlags.NOT_NULL | ColumnFlags.BINARY | ColumnFlags.NUM,
                                0)
                        : ColumnDefinition41.of(
                                "", "", names.get(i), UTF8MB4_GENERAL_CI, 1024, ColumnType.VAR_STRING, 0, 31);
                ByteBuf def = ctx.alloc().buffer();
                column.encode(def, capabilities, false);
                send(ctx, def);
            }
            if (!deprecateEof) {
                sendWith(ctx, out -> new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(out, capabilities));
            }
            sendWith(ctx, new TextRow(values)::encode);
            if (deprecateEof) {
                sendOk(ctx, OkPacket.HEADER_EOF);
            } else {
                sendWith(ctx, out -> new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(out, capabilities));
            }
        }

        private void sendOk(ChannelHandlerContext ctx, int header) {
            OkPacket ok = new OkPacket(header, 0, 0, ServerStatus.AUTOCOMMIT, 0, "", List.of());
            sendWith(ctx, out -> ok.encode(out, capabilities));
        }

        private void sendWith(ChannelHandlerContext ctx, Consumer<ByteBuf> encoder) {
            ByteBuf out = ctx.alloc().buffer();
            encoder.accept(out);
            ctx.write(out);
        }

        private void send(ChannelHandlerContext ctx, ByteBuf out) {
            ctx.write(out);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Splits at commas outside parentheses and quotes. */
    static List<String> splitTopLevel(String list) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(list.substring(start, i));
                start = i + 1;
            }
        }
        items.add(list.substring(start));
        return items;
    }
}
