package dev.stasis.fs;

import dev.stasis.store.LockMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owner records of the store lock, one file per holder in {@code .stasis/owners/}: host, pid,
 * start time, mode and operation. Diagnostics only: the lock itself is the OS lock. Records
 * of dead processes on this host are removed when read.
 */
final class Owners {
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final long PID = ProcessHandle.current().pid();

  private final Path dir;

  Owners(Path dir) {
    this.dir = dir;
  }

  /** Writes a record for a new holder; returns its path, or null if it could not be written. */
  Path add(LockMode mode, String operation) {
    Path record = dir.resolve(PID + "-" + SEQUENCE.incrementAndGet());
    String text = "host=" + host() + "\npid=" + PID + "\nstarted=" + Instant.now()
        + "\nmode=" + mode.name().toLowerCase() + "\noperation=" + operation.replace('\n', ' ') + "\n";
    try {
      Files.createDirectories(dir);
      Files.writeString(record, text, StandardCharsets.UTF_8);
      return record;
    } catch (IOException e) {
      return null;  // a missing record only makes a lock message less helpful
    }
  }

  void remove(Path record) {
    if (record != null) {
      try {
        Files.deleteIfExists(record);
      } catch (IOException ignored) {
        // a stale record is removed by the next reader
      }
    }
  }

  /** The holders as a sentence, such as "gc (exclusive), pid 42 on db1 since 2026-…". */
  String describe() {
    List<String> holders = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path record : stream) {
        Properties p = new Properties();
        try (var reader = Files.newBufferedReader(record, StandardCharsets.UTF_8)) {
          p.load(reader);
        } catch (NoSuchFileException e) {
          continue;
        }
        if (isStale(p)) {
          remove(record);
          continue;
        }
        holders.add(String.format("%s (%s), pid %s on %s since %s", p.getProperty("operation"),
            p.getProperty("mode"), p.getProperty("pid"), p.getProperty("host"), p.getProperty("started")));
      }
    } catch (IOException e) {
      return "unknown (no readable owner records)";
    }
    return holders.isEmpty() ? "unknown (no owner records)" : String.join("; ", holders);
  }

  private static boolean isStale(Properties p) {
    if (!host().equals(p.getProperty("host"))) {
      return false;
    }
    try {
      return ProcessHandle.of(Long.parseLong(p.getProperty("pid", ""))).isEmpty();
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** The host name, without a DNS lookup. */
  static String host() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException | RuntimeException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }
}
