package dev.sluice.app.launcher;

import java.util.Locale;

/**
 * Stands in for sluice.jar in {@link LauncherClassDataTest}: prints its arguments and whether it is bin/sluice's
 * class-data training run; FAKE_TRAINING_EXIT=N makes the training run exit with N. Uses nothing but the JDK, so
 * that it runs alone in a jar of its own.
 */
public final class FakeSluiceMain {
    private FakeSluiceMain() {}

    public static void main(String[] args) {
        boolean training = Boolean.getBoolean("sluice.cds.training");
        // a class of the jar, loaded on every run: the test looks for it in the class-loading log
        String shout = new Helper().shout(String.join(" ", args));
        System.out.println((training ? "training: " : "ran: ") + shout);
        if (training) {
            String exit = System.getenv("FAKE_TRAINING_EXIT");
            if (exit != null) {
                System.exit(Integer.parseInt(exit));
            }
        }
    }

    /** Loaded from the jar (or the archive). */
    static final class Helper {
        String shout(String s) {
            return s.toUpperCase(Locale.ROOT);
        }
    }
}
