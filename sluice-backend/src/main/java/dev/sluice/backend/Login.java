package dev.sluice.backend;

import dev.sluice.protocol.message.server.HandshakeV10;

/**
 * What a completed login agreed with the server, handed from {@link LoginHandler} to the {@link CommandHandler}
 * that takes the channel over: the greeting, the capabilities both sides have (the client's request intersected
 * with the greeting's), whether the link is TLS, the authentication plugin that finally logged in, and the
 * server's address for messages.
 */
record Login(HandshakeV10 greeting, long capabilities, boolean tls, String authPlugin, String where) {}
