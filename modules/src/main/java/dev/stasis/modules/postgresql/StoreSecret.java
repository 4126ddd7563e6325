package dev.stasis.modules.postgresql;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A random secret kept in the store ({@code .stasis/secret}, mode 0600), from which stasis
 * derives values that must be the same for every dump of a component yet unguessable to anyone
 * who cannot read the store: such as the key of pg_dump's {@code \restrict} line, which keeps a
 * hostile value in a dump from running psql meta-commands on restore, and which pg_dump would
 * otherwise draw at random for every dump (so no two dumps would ever be equal).
 */
final class StoreSecret {
  private StoreSecret() {}

  /**
   * {@code length} hex digits (up to 1024) derived from {@code purpose} under the store's secret:
   * HMAC-SHA256 of {@code purpose}, {@code purpose#1}, … one after another.
   */
  static String derive(Path storeRoot, String purpose, int length) throws IOException {
    StringBuilder key = new StringBuilder(derive(storeRoot, purpose));
    for (int i = 1; key.length() < length && i < 16; i++) {
      key.append(derive(storeRoot, purpose + "#" + i));
    }
    return key.substring(0, length);
  }

  /** HMAC-SHA256 of {@code purpose} under the store's secret, in hex. */
  static String derive(Path storeRoot, String purpose) throws IOException {
    byte[] secret = load(storeRoot.resolve(StoreLayout.SECRET.path()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }

  /** Reads the secret, creating it on first use; two processes racing agree on one. */
  private static byte[] load(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readAllBytes(file);
    }
    Files.createDirectories(file.getParent());
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    Path tmp = Files.createTempFile(file.getParent(), "secret", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(fresh));
        ch.force(true);
      }
      Files.createLink(file, tmp);  // link(2) fails if the name exists: the first creator wins
      DurableFiles.fsync(file.getParent());
      return fresh;
    } catch (FileAlreadyExistsException lost) {
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
