package dev.sluice.protocol.compress;

import dev.sluice.protocol.wire.Framing;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.CombinedChannelDuplexHandler;

/**
 * Switches a link to the compressed protocol: a {@link CompressionDecoder} and {@link CompressionEncoder} pair, one
 * handler named {@link #NAME}, in front of the link's {@link PacketDecoder} (so after TLS or the socket), following
 * the link's {@link PacketSequence}. Everything after it (framing, taps, sessions) is unchanged and sees the packets
 * decompressed. Called on the channel's event loop once the login's OK was written and flushed (sending) and before
 * the peer's first compressed byte is read: compression starts right after the authentication OK.
 */
public final class Compressing {
    public static final String NAME = "compression";

    private Compressing() {}

    /**
     * Installs the pair with a new codec of {@code algorithm} at {@code level} ({@link Compression#levelOrDefault});
     * compressed packets carrying more than the link's {@code maxPacketSize} plus a packet header (at most 16 MiB - 1)
     * are refused before they are read.
     */
    public static void install(
            ChannelPipeline pipeline, PacketSequence sequence, Compression algorithm, int level, int maxPacketSize) {
        ChannelHandlerContext decoder = pipeline.context(PacketDecoder.class);
        if (decoder == null) {
            throw new IllegalStateException("no PacketDecoder in the pipeline");
        }
        Codec codec = algorithm.newCodec(level);
        CompressedSequence compressed = new CompressedSequence(sequence);
        long limit = Math.min((long) CompressedFraming.MAX_PAYLOAD, (long) maxPacketSize + Framing.HEADER_SIZE);
        CompressionEncoder encoder = new CompressionEncoder(codec, compressed);
        PacketEncoder packets = pipeline.get(PacketEncoder.class);
        compressed.onRestart(() -> {
            if (packets != null) {
                packets.handOnCollected();
            }
            encoder.cut();
        });
        pipeline.addBefore(
                decoder.name(),
                NAME,
                new CombinedChannelDuplexHandler<>(new CompressionDecoder(codec, compressed, (int) limit), encoder));
    }

    /** Whether the link compresses. */
    public static boolean isOn(ChannelPipeline pipeline) {
        return pipeline.get(NAME) != null;
    }
}
