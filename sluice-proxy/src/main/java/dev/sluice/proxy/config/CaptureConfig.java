package dev.sluice.proxy.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Session captures (docs/CAPTURES.md): what each session keeps of its last packets, when it is written as a pcapng
 * file, and where.
 *
 * @param ringFrames packets a session keeps at most ({@code capture.ring-frames}, 256)
 * @param ringBytes bytes of packet data a session keeps at most ({@code capture.ring-bytes}, 256 KiB)
 * @param frameBytes bytes kept of one packet at most ({@code capture.frame-bytes}, 16 KiB): a longer one keeps its
 *     head and its real length
 * @param dir where capture files go ({@code capture.dir})
 * @param maxBytes the disk budget of {@code dir}'s capture files ({@code capture.max-bytes}, 256 MiB): the oldest
 *     finished ones are deleted to make room, and a capture that still does not fit is refused
 * @param onError whether a session's ring is written when it meets a protocol error, an error in the middle of a
 *     response, or a validator violation ({@code capture.on-error}, off)
 * @param continuousUser sessions of this user are written as they go ({@code capture.continuous.user}); null: any
 *     user, when {@code continuousClient} is given
 * @param continuousClient sessions from this client address are written as they go ({@code
 *     capture.continuous.client}); null: any address, when {@code continuousUser} is given
 */
public record CaptureConfig(
        int ringFrames,
        int ringBytes,
        int frameBytes,
        Path dir,
        long maxBytes,
        boolean onError,
        String continuousUser,
        String continuousClient) {
    public static final int DEFAULT_RING_FRAMES = 256;
    public static final int DEFAULT_RING_BYTES = 256 * 1024;
    public static final int DEFAULT_FRAME_BYTES = 16 * 1024;
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
    /** A MySQL packet's payload at most in one physical packet: more is never kept of one packet. */
    public static final int MAX_FRAME_BYTES = 0xFFFFFF;

    public CaptureConfig {
        Objects.requireNonNull(dir, "capture.dir");
        if (ringFrames < 1) {
            throw new IllegalArgumentException("capture.ring-frames: " + ringFrames + " (at least 1)");
        }
        if (frameBytes < 1 || frameBytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException(
                    "capture.frame-bytes: " + frameBytes + " (1 to " + MAX_FRAME_BYTES + ")");
        }
        if (ringBytes < frameBytes) {
            throw new IllegalArgumentException(
                    "capture.ring-bytes: " + ringBytes + " (at least capture.frame-bytes, " + frameBytes + ")");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("capture.max-bytes: " + maxBytes + " (at least 1)");
        }
    }

    /** The defaults, writing to {@code dir}, on-error on or off, nothing continuous. */
    public static CaptureConfig of(Path dir, boolean onError) {
        return new CaptureConfig(
                DEFAULT_RING_FRAMES,
                DEFAULT_RING_BYTES,
                DEFAULT_FRAME_BYTES,
                dir,
                DEFAULT_MAX_BYTES,
                onError,
                null,
                null);
    }

    /** This configuration writing every session of {@code user} and/or from {@code client} as it goes. */
    public CaptureConfig withContinuous(String user, String client) {
        return new CaptureConfig(ringFrames, ringBytes, frameBytes, dir, maxBytes, onError, user, client);
    }

    /** Whether some sessions are written as they go. */
    public boolean continuous() {
        return continuousUser != null || continuousClient != null;
    }
}
