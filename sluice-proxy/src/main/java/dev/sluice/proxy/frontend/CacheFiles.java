package dev.sluice.proxy.frontend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files of the key cache (self-signed TLS pair, caching_sha2 RSA pair): written whole, readable by the owner only. */
final class CacheFiles {
    private CacheFiles() {}

    /**
     * Writes {@code bytes} to a new owner-only temporary file next to {@code file}, then moves it into place
     * atomically, so a reader never sees half a key and nobody else can read it.
     *
     * @throws UnsupportedOperationException on a file system without POSIX permissions (then nothing is cached)
     */
    static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
