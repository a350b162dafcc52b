package dev.sluice.proxy.frontend;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Scrambles (auth-plugin-data) for greetings and AuthSwitchRequests. Like MySQL's generate_user_salt, every
 * byte is in 1..127 and never '$': clients treat the scramble as a NUL-terminated string in places (so no
 * 0x00), some hash implementations treat '$' as a separator, and 7-bit bytes are valid in every charset.
 * Unlike MySQL, which bumps 0x00 and '$' to the next value, this draws uniformly from the 126 allowed values.
 */
public final class Scrambles {
    static final int LENGTH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Scrambles() {}

    public static byte[] next() {
        return next(RANDOM);
    }

    static byte[] next(java.util.Random random) {
        byte[] scramble = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            int b;
            do {
                b = 1 + random.nextInt(127);
            } while (b == '$');
            scramble[i] = (byte) b;
        }
        return scramble;
    }

    /** What goes on the wire: the scramble and the NUL servers append to it. */
    public static byte[] withNul(byte[] scramble) {
        return Arrays.copyOf(scramble, scramble.length + 1);
    }
}
