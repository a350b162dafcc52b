package dev.sluice.proxy.hostile;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One connection's choices, all drawn from the listener's seed and the connection's ordinal: the sizes of the pieces
 * its writes are cut into and the delays of its reads and writes. Each has a random stream of its own, so that how
 * many reads a client made does not move the pieces or delays of the writes: the same seed, ordinal and byte stream
 * give the same cuts and the same delays.
 */
final class Plan {
    /** What {@link #nextPiece} answers when writes are not cut: as much as there is. */
    static final long WHOLE = Long.MAX_VALUE;

    private final Fault segmenter;
    private final long maxDelayMillis;
    private final SplittableRandom pieces;
    private final SplittableRandom writeDelays;
    private final SplittableRandom readDelays;

    Plan(long seed, long ordinal, List<Fault> faults) {
        SplittableRandom root = new SplittableRandom(seed ^ (ordinal * 0x9E3779B97F4A7C15L));
        this.pieces = root.split();
        this.writeDelays = root.split();
        this.readDelays = root.split();
        this.segmenter = faults.stream().filter(Fault::segments).findFirst().orElse(null);
        this.maxDelayMillis = faults.stream()
                .filter(f -> f.kind() == Fault.Kind.DELAY)
                .mapToLong(Fault::n)
                .findFirst()
                .orElse(-1);
    }

    /** The kind of fault that cuts or holds writes, or null. */
    Fault.Kind segmenting() {
        return segmenter == null ? null : segmenter.kind();
    }

    /** The size of the next piece of output ({@link #WHOLE}: no cutting; split-frames cuts by frame instead). */
    long nextPiece() {
        if (segmenter == null) {
            return WHOLE;
        }
        long n = segmenter.n();
        return switch (segmenter.kind()) {
            case SPLIT_BYTES -> 1;
            case SPLIT_RANDOM -> 1 + pieces.nextLong(n);
            case COALESCE -> Math.max(1, n / 2 + pieces.nextLong(n - n / 2 + 1));
            default -> WHOLE;
        };
    }

    boolean delays() {
        return maxDelayMillis >= 0;
    }

    /** Milliseconds before the next piece is written (0 without a delay fault). */
    long nextWriteDelay() {
        return maxDelayMillis <= 0 ? 0 : writeDelays.nextLong(maxDelayMillis + 1);
    }

    /** Milliseconds before the next bytes read from the client move on (0 without a delay fault). */
    long nextReadDelay() {
        return maxDelayMillis <= 0 ? 0 : readDelays.nextLong(maxDelayMillis + 1);
    }
}
