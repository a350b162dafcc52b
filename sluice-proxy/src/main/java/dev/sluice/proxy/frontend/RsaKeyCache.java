package dev.sluice.proxy.frontend;

import dev.sluice.protocol.auth.CachingSha2Password;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * The caching_sha2_password RSA pair kept in one owner-only file: the X.509 public key and the PKCS#8 private
 * key, each behind a 4-byte length. Anything unreadable is replaced by a new pair.
 */
final class RsaKeyCache {
    private RsaKeyCache() {}

    static KeyPair loadOrCreate(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return load(Files.readAllBytes(file));
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // damaged or from another format: make a new one below
        }
        KeyPair pair = CachingSha2Password.generateKeyPair(2048);
        save(file, pair);
        return pair;
    }

    private static KeyPair load(byte[] bytes) throws GeneralSecurityException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] pub = new byte[in.getInt()];
        in.get(pub);
        byte[] priv = new byte[in.getInt()];
        in.get(priv);
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        return new KeyPair(
                rsa.generatePublic(new X509EncodedKeySpec(pub)), rsa.generatePrivate(new PKCS8EncodedKeySpec(priv)));
    }

    /** Best effort: without a writable cache directory the pair lives for this process only. */
    private static void save(Path file, KeyPair pair) {
        byte[] pub = pair.getPublic().getEncoded();
        byte[] priv = pair.getPrivate().getEncoded();
        ByteBuffer out = ByteBuffer.allocate(8 + pub.length + priv.length);
        out.putInt(pub.length).put(pub).putInt(priv.length).put(priv);
        try {
            CacheFiles.writeOwnerOnly(file, out.array());
        } catch (IOException | UnsupportedOperationException e) {
            // not cached
        }
    }
}
