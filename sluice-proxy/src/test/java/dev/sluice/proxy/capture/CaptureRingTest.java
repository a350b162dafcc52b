package dev.sluice.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureRingTest {
    private static ByteBuf payload(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed + i);
        }
        return Unpooled.wrappedBuffer(b);
    }

    private static void add(CaptureRing ring, int seq, ByteBuf p) {
        ring.add(true, seq, p, 0, 0, false, seq, 0, 0);
    }

    @Test
    void keepsTheLastPacketsWithinTheFrameBound() {
        CaptureRing ring = new CaptureRing(3, 1024, 1024);
        for (int seq = 0; seq < 5; seq++) {
            add(ring, seq, payload(10, seq));
        }
        assertThat(ring.snapshot()).extracting(CapturedFrame::sequenceId).containsExactly(2, 3, 4);
    }

    @Test
    void keepsTheLastPacketsWithinTheByteBoundAndNeverAllocatesMore() {
        CaptureRing ring = new CaptureRing(100, 1024, 300);
        for (int seq = 0; seq < 10; seq++) {
            add(ring, seq, payload(300, seq));
            assertThat(ring.bytes()).isLessThanOrEqualTo(1024);
            assertThat(ring.allocated()).isLessThanOrEqualTo(1024);
        }
        List<CapturedFrame> frames = ring.snapshot();
        assertThat(frames).extracting(CapturedFrame::sequenceId).containsExactly(7, 8, 9);
        for (CapturedFrame f : frames) {
            assertThat(f.head()).isEqualTo(ByteBufUtilCopy.bytes(payload(300, f.sequenceId())));
        }
    }

    @Test
    void aLongPacketKeepsItsHeadAndItsRealLength() {
        CaptureRing ring = new CaptureRing(8, 4096, 100);
        ByteBuf p = payload(1000, 7);
        add(ring, 1, p);
        CapturedFrame f = ring.snapshot().get(0);
        assertThat(f.length()).isEqualTo(1000);
        assertThat(f.head()).isEqualTo(Arrays.copyOf(ByteBufUtilCopy.bytes(p), 100));
        assertThat(p.readerIndex()).as("the lent payload is not moved").isZero();
    }

    @Test
    void growsOnlyAsNeededAndRedactsAcrossTheWrap() {
        CaptureRing ring = new CaptureRing(1000, 64 * 1024, 1000);
        add(ring, 0, payload(10, 0));
        assertThat(ring.allocated()).isEqualTo(4096);
        // sizes that make packets wrap around the end of the array many times
        for (int seq = 1; seq < 400; seq++) {
            ByteBuf p = payload(1 + (seq * 37) % 997, seq);
            ring.add(false, seq & 0xFF, p, 3, 50, false, seq, 0, 0);
        }
        assertThat(ring.allocated()).isEqualTo(64 * 1024);
        for (CapturedFrame f : ring.snapshot()) {
            byte[] expected = ByteBufUtilCopy.bytes(payload(f.length(), (int) f.micros()));
            Arrays.fill(expected, Math.min(3, expected.length), Math.min(50, expected.length), (byte) 0);
            assertThat(f.head()).as("packet " + f.micros()).isEqualTo(expected);
        }
    }

    /** A copy of a buffer's readable bytes. */
    static final class ByteBufUtilCopy {
        static byte[] bytes(ByteBuf b) {
            byte[] out = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), out);
            return out;
        }
    }
}
