package dev.sluice.app;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The client side of bin/sluice's class-data training run (see {@link RunCommand#TRAINING_PROPERTY}): one connection
 * that reads a whole greeting, so that the classes on the path to a client's first greeting are loaded, and recorded
 * in the archive, before the JVM exits.
 */
final class ClassDataTraining {
    private ClassDataTraining() {}

    /** Connects, reads one packet (the greeting), closes; returns what happened, for the log. */
    static String greetOnce(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 10_000);
            s.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] header = new byte[4];
            in.readFully(header);
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            in.readFully(new byte[length]);
            return "read a " + length + "-byte greeting";
        } catch (IOException e) {
            return "no greeting: " + e;
        }
    }
}
