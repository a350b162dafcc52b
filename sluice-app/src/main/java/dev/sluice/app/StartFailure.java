package dev.sluice.app;

import java.net.BindException;

/** Turns an exception from starting the proxy into one line a user can act on (no stack trace). */
final class StartFailure {
    private StartFailure() {}

    static String describe(Throwable e, String listen) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            // Netty's epoll transport reports EADDRINUSE as a plain IOException, hence the text check
            if (t instanceof BindException || message.contains("Address already in use")) {
                return "cannot listen on " + listen + ": address already in use (another process has the port;"
                        + " choose another with --listen HOST:PORT)";
            }
        }
        StringBuilder s = new StringBuilder(message(e));
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            String m = message(t);
            if (s.indexOf(m) < 0) {
                s.append(": ").append(m);
            }
        }
        return s.toString();
    }

    private static String message(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }
}
