package dev.sluice.bench.jmh;

import dev.sluice.protocol.wire.Packet;
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
 * The framing layer on a result's rows: {@link PacketDecoder} splitting a read of 256 framed ~200-byte rows into
 * packets (what the server side does per read when no session lends its payloads; see {@link RelayBenchmark}), and
 * {@link PacketEncoder} framing 256 row payloads for the client (collected into buffers of up to 64 KiB). Scores are
 * packets per microsecond. Run with {@code
 * bench/jmh.sh Framing}; add {@code -prof gc} for allocation per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FramingBenchmark {
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private PacketSequence decodeSequence;
    private EmbeddedChannel decoder;
    private ByteBuf batch;
    private PacketSequence encodeSequence;
    private EmbeddedChannel encoder;
    private ByteBuf[] payloads;

    @Setup(Level.Trial)
    public void setUp() {
        decodeSequence = new PacketSequence();
        decoder = new EmbeddedChannel(new PacketDecoder(decodeSequence, 64 << 20));
        batch = RowPackets.framedBatch(alloc);
        encodeSequence = new PacketSequence();
        encoder = new EmbeddedChannel(new PacketEncoder(encodeSequence));
        payloads = new ByteBuf[RowPackets.PER_BATCH];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = RowPackets.payload(alloc, 1_000_000 + i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batch.release();
        for (ByteBuf p : payloads) {
            p.release();
        }
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(RowPackets.PER_BATCH)
    public long decodeRows() {
        decodeSequence.reset();
        decoder.writeInbound(batch.retainedDuplicate());
        long bytes = 0;
        for (Packet p; (p = decoder.readInbound()) != null; ) {
            bytes += p.payload().readableBytes();
            p.release();
        }
        return bytes;
    }

    @Benchmark
    @OperationsPerInvocation(RowPackets.PER_BATCH)
    public long encodeRows() {
        encodeSequence.reset();
        for (ByteBuf p : payloads) {
            encoder.write(new Packet(0, p.retainedDuplicate()));
        }
        encoder.flush();
        long bytes = 0;
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            bytes += b.readableBytes();
            b.release();
        }
        return bytes;
    }
}
