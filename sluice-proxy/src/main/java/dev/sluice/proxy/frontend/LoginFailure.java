package dev.sluice.proxy.frontend;

/**
 * A pipeline event: the login failed ({@link ClientHandshakeHandler} fires it as it gives up, before the channel
 * closes), for whoever counts failures.
 *
 * @param code the ERR sent to the client; 0 when none could be (the client left, a deadline passed, TLS failed)
 */
public record LoginFailure(int code) {}
