package dev.stasis.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds directory trees for tests and describes them, so two trees can be compared exactly. */
public final class Trees {
  /** A fixed, whole-second mtime, so trees made in different seconds are the same. */
  public static final FileTime MTIME = FileTime.from(Instant.parse("2024-05-01T12:00:00Z"));

  private Trees() {}

  /** Writes {@code content} to {@code root/relative}, creating parents, with mtime {@link #MTIME}. */
  public static Path file(Path root, String relative, String content) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(p, MTIME);
    return p;
  }

  /** A small tree with a subdirectory, an executable file and a symlink; all mtimes fixed. */
  public static Path sample(Path dir) throws IOException {
    Files.createDirectories(dir);
    file(dir, "index.html", "<h1>hello</h1>\n");
    file(dir, "cgi/run.sh", "#!/bin/sh\necho hi\n");
    Files.setAttribute(dir.resolve("cgi/run.sh"), "unix:mode", 0755);
    file(dir, "data/a.txt", "a\n");
    Files.createSymbolicLink(dir.resolve("latest"), Path.of("data/a.txt"));
    fixTimes(dir);
    return dir;
  }

  /** Sets the mtime of every symlink and directory (deepest first) to {@link #MTIME}. */
  public static void fixTimes(Path root) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      // not sockets or pipes: opening a pipe to set its time would block
      all = walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)).toList();
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      Files.getFileAttributeView(all.get(i), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(MTIME, null, null);
    }
  }

  /**
   * Every entry below {@code root} with its type, mode, mtime and content hash or link target;
   * an absent root describes as empty.
   */
  public static SortedMap<String, String> describe(Path root) throws IOException {
    SortedMap<String, String> entries = new TreeMap<>();
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return entries;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.filter(p -> !p.equals(root)).toList();
    }
    for (Path p : all) {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      String mtime = a.lastModifiedTime().toInstant().getEpochSecond() + "s";
      String what;
      if (a.isSymbolicLink()) {
        what = "link " + mtime + " -> " + Files.readSymbolicLink(p);
      } else {
        String mode = Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode") & 07777);
        what = a.isDirectory() ? "dir " + mode + " " + mtime
            : "file " + mode + " " + mtime + " " + sha256(Files.readAllBytes(p));
      }
      entries.put(root.relativize(p).toString(), what);
    }
    return entries;
  }

  /** Lowercase hex SHA-256, as snapshot ids are written. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The relative paths of every regular file and symlink below {@code root}, sorted. */
  public static List<String> files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
