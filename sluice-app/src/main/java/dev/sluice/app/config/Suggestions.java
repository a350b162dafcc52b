package dev.sluice.app.config;

import java.util.List;

/** "did you mean" for unknown keys: the closest known key by edit distance, when it is close enough. */
final class Suggestions {
    private Suggestions() {}

    /** {@code (did you mean 'connect-timeout'?)} or {@code (expected one of: a, b, c)}. */
    static String hint(String unknown, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(unknown, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= Math.max(2, unknown.length() / 4)) {
            return "(did you mean '" + best + "'?)";
        }
        return "(expected one of: " + String.join(", ", known) + ")";
    }

    /** Levenshtein distance, case-insensitive; underscores count as dashes (connect_timeout is close). */
    static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        String y = b.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        int[] previous = new int[y.length() + 1];
        int[] current = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int substitute = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[y.length()];
    }
}
