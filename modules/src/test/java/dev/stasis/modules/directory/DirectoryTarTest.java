package dev.stasis.modules.directory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTarTest {
  private static final int NOBODY = 65534;

  @TempDir
  Path tmp;

  @Test
  void theSameTreeGivesTheSameBytes() throws IOException {
    Path one = Trees.sample(tmp.resolve("one"));
    // the same tree made in another order, so the order on disk differs
    Path two = tmp.resolve("two");
    Files.createDirectories(two);
    Files.createSymbolicLink(two.resolve("latest"), Path.of("data/a.txt"));
    Trees.file(two, "data/a.txt", "a\n");
    Trees.file(two, "cgi/run.sh", "#!/bin/sh\necho hi\n");
    Files.setAttribute(two.resolve("cgi/run.sh"), "unix:mode", 0755);
    Trees.file(two, "index.html", "<h1>hello</h1>\n");
    Trees.fixTimes(two);

    byte[] first = tar(one);
    assertArrayEquals(first, tar(one));
    assertArrayEquals(first, tar(two));
  }

  @Test
  void readingFilesAndChangingOwnersLeaveTheBytesAlone() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    byte[] before = tar(dir);
    for (Path p : walk(dir)) {
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.readAllBytes(p);
        Files.getFileAttributeView(p, BasicFileAttributeView.class)
            .setTimes(null, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")), null);
      }
      Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    }
    assertEquals(NOBODY, Files.getAttribute(dir.resolve("index.html"), "unix:uid"));

    assertArrayEquals(before, tar(dir));
  }

  @Test
  void changingAnMtimeChangesTheBytes() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    byte[] before = tar(dir);
    Files.setLastModifiedTime(dir.resolve("data/a.txt"), FileTime.from(Trees.MTIME.toInstant().plusSeconds(1)));
    assertFalse(Arrays.equals(before, tar(dir)));
  }

  @Test
  void fractionsOfASecondAreNotRecorded() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    byte[] before = tar(dir);
    Files.setLastModifiedTime(dir.resolve("data/a.txt"), FileTime.from(Trees.MTIME.toInstant().plusMillis(250)));
    assertArrayEquals(before, tar(dir));
  }

  @Test
  void entriesAreSortedByNameBytesWithinEachDirectory() throws IOException {
    Path dir = tmp.resolve("d");
    for (String name : List.of("b", "a-b", "a/x", "a/B", "_", "B", "0")) {
      Trees.file(dir, name, name);
    }
    // '-' sorts before '/', so a sort of whole paths would put a-b before a/x; tar --sort=name does not
    assertEquals(List.of("0", "B", "_", "a/", "a/B", "a/x", "a-b", "b"),
        entries(tar(dir)).stream().map(TarArchiveEntry::getName).toList());
  }

  @Test
  void headersRecordNoOwnerAndNoTimeButTheMtime() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    Files.setAttribute(dir.resolve("index.html"), "unix:uid", NOBODY);
    List<TarArchiveEntry> entries = entries(tar(dir));
    assertEquals(6, entries.size());
    for (TarArchiveEntry e : entries) {
      assertEquals(0, e.getLongUserId(), e.getName());
      assertEquals(0, e.getLongGroupId(), e.getName());
      assertEquals("", e.getUserName(), e.getName());
      assertEquals("", e.getGroupName(), e.getName());
      assertEquals(Trees.MTIME.toInstant(), e.getLastModifiedTime().toInstant(), e.getName());
      assertNull(e.getLastAccessTime(), e.getName());
      assertNull(e.getStatusChangeTime(), e.getName());
    }
  }

  @Test
  void longNamesAndSymlinksRoundTripThroughTheUnpacker() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    String longDir = "d".repeat(120);
    String longFile = "f".repeat(150);
    Trees.file(dir, longDir + "/" + longFile, "deep\n");
    Trees.file(dir, longDir + "/" + "e".repeat(90) + "/short", "deeper\n");
    Files.createSymbolicLink(dir.resolve("far"), Path.of(longDir + "/" + longFile));
    Files.createSymbolicLink(dir.resolve("abs"), Path.of("/etc/" + "x".repeat(100)));
    Files.createDirectories(dir.resolve("empty"));
    Files.setAttribute(dir.resolve("empty"), "unix:mode", 0700);
    Trees.fixTimes(dir);

    byte[] tar = tar(dir);
    assertTrue(entries(tar).stream().anyMatch(e -> e.getName().equals(longDir + "/" + longFile)));
    Path into = Files.createDirectory(tmp.resolve("into"));
    TarUnpacker.unpack(new ByteArrayInputStream(tar), into);

    assertEquals(Trees.describe(dir), Trees.describe(into));
    assertArrayEquals(tar, tar(into));
  }

  @Test
  void aFileThatGrowsWhileReadFailsTheTar() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    DirectoryTar tar = new DirectoryTar(w -> {}, file -> Files.writeString(file, "more", StandardOpenOption.APPEND));
    IOException e = assertThrows(IOException.class, () -> tar.write(dir, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("changed while it was read"), e.getMessage());
  }

  @Test
  void aFileWhoseMtimeChangesWhileReadFailsTheTar() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www"));
    DirectoryTar tar = new DirectoryTar(w -> {},
        file -> Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z"))));
    IOException e = assertThrows(IOException.class, () -> tar.write(dir, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("changed while it was read"), e.getMessage());
  }

  @Test
  void socketsAndPipesAreSkippedWithAWarning() throws Exception {
    Path dir = Trees.sample(tmp.resolve("www"));
    byte[] without = tar(dir);
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("data/pipe").toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor());
    List<String> warnings = new ArrayList<>();
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(dir.resolve("data/sock")));
      Trees.fixTimes(dir);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new DirectoryTar(warnings::add).write(dir, out);
      assertArrayEquals(without, out.toByteArray());
    }
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("data/pipe") && warnings.get(1).contains("data/sock"), warnings.toString());
  }

  @Test
  void aMissingDirectoryIsNotFound() {
    assertThrows(NoSuchFileException.class, () -> tar(tmp.resolve("missing")));
  }

  /** The tar of {@code dir}; any warning fails the test. */
  static byte[] tar(Path dir) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new DirectoryTar(w -> {
      throw new AssertionError("unexpected warning: " + w);
    }).write(dir, out);
    return out.toByteArray();
  }

  static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
    List<TarArchiveEntry> entries = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        entries.add(e);
      }
    }
    return entries;
  }

  private static List<Path> walk(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.toList();
    }
  }
}
