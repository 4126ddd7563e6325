package dev.stasis.deploy;

import java.nio.file.Path;

/**
 * Holds a coordinator's deployment lock in a process of its own, for {@link DeployLockTest}:
 * takes it, prints {@code locked}, holds it until its stdin ends, releases it and prints
 * {@code released}.
 *
 * <p>Usage: {@code java -cp TEST_CLASSPATH dev.stasis.deploy.DeployLockHolder STATEDIR COMMAND}
 */
final class DeployLockHolder {
  private DeployLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (DeployLock lock = DeployLock.take(Path.of(args[0]), args[1], false, System.err)) {
      System.out.println("locked");
      System.out.flush();
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    System.out.println("released");
  }
}
