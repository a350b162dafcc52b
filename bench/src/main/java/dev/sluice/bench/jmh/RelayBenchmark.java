package dev.sluice.bench.jmh;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The relay's path for a result's rows as a session runs it: a read of 256 framed ~200-byte rows goes through the
 * server side's {@link PacketDecoder} with a sink (payloads lent, no Packet per row), each payload is classified by
 * a relay {@link ResponseDecoder} (already past the column count, two definitions and their EOF) and written into
 * the client side's {@link PacketEncoder} ({@code writeRelayed}); one flush per read, as after a socket read.
 * Scores are rows relayed per microsecond; {@code bench/jmh.sh Relay -prof gc} gives allocation per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RelayBenchmark {
    private static final long CAPABILITIES = Capability.CLIENT_PROTOCOL_41;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private PacketSequence serverSequence;
    private EmbeddedChannel server;
    private PacketSequence clientSequence;
    private PacketEncoder clientEncoder;
    private EmbeddedChannel client;
    private ByteBuf batch;
    private ByteBuf[] head;
    private ResponseDecoder response;
    private long rows;

    @Setup(Level.Trial)
    public void setUp() {
        serverSequence = new PacketSequence();
        PacketDecoder decoder = new PacketDecoder(serverSequence, 64 << 20);
        decoder.sink((payload, sequenceId) -> {
            if (response.next(payload) instanceof ResponseEvent.Row) {
                rows++;
                clientEncoder.writeRelayed(payload);
            }
        });
        server = new EmbeddedChannel(decoder);
        clientSequence = new PacketSequence();
        clientEncoder = new PacketEncoder(clientSequence);
        client = new EmbeddedChannel(clientEncoder);
        batch = RowPackets.framedBatch(alloc);
        ByteBuf count = alloc.buffer();
        Wire.writeLenencInt(count, 2);
        ByteBuf id = alloc.buffer();
        ColumnDefinition41.of("bench", "big", "id", 63, 11, ColumnType.LONG, 0, 0)
                .encode(id, CAPABILITIES, false);
        ByteBuf text = alloc.buffer();
        ColumnDefinition41.of("bench", "big", "payload", 45, 800, ColumnType.VAR_STRING, 0, 0)
                .encode(text, CAPABILITIES, false);
        ByteBuf eof = alloc.buffer();
        new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(eof, CAPABILITIES);
        head = new ByteBuf[] {count, id, text, eof};
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batch.release();
        for (ByteBuf b : head) {
            b.release();
        }
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
        if (rows == 0) {
            throw new IllegalStateException("no row was relayed");
        }
    }

    @Benchmark
    @OperationsPerInvocation(RowPackets.PER_BATCH)
    public long relayRows() {
        response = ResponseDecoder.forRelay(Command.COM_QUERY, CAPABILITIES, false);
        for (ByteBuf b : head) {
            response.next(b);
        }
        serverSequence.reset();
        clientSequence.reset();
        server.writeInbound(batch.retainedDuplicate());
        client.flush();
        long bytes = 0;
        for (ByteBuf b; (b = client.readOutbound()) != null; ) {
            bytes += b.readableBytes();
            b.release();
        }
        return bytes;
    }
}
