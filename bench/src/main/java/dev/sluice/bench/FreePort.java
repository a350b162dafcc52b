package dev.sluice.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Prints N free TCP ports on 127.0.0.1, one per line (for the scripts: no python or ss needed). */
public final class FreePort {
    private FreePort() {}

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        List<ServerSocket> held = new ArrayList<>();
        try {
            // held open together so the N ports differ
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            held.forEach(s -> System.out.println(s.getLocalPort()));
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
