package dev.sluice.testkit;

/** A sandbox could not be set up, started, stopped or queried; the message carries the tail of the server log. */
public final class SandboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
