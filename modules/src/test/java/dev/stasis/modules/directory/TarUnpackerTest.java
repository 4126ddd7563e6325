package dev.stasis.modules.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stasis.modules.Trees;
import dev.stasis.modules.files.DurableFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives that try to write outside the directory they are unpacked into. */
class TarUnpackerTest {
  @TempDir
  Path tmp;
  Path into;
  Path outside;
  SortedMap<String, String> before;

  @BeforeEach
  void dirs() throws IOException {
    into = Files.createDirectory(tmp.resolve("into"));
    outside = Files.createDirectory(tmp.resolve("outside"));
    Trees.file(outside, "keep", "keep\n");
    Files.setAttribute(outside, "unix:mode", 0750);
    Trees.fixTimes(outside);
    before = Trees.describe(tmp);
  }

  @Test
  void theHostileNamesReachTheUnpackerAsWritten() throws IOException {
    // commons-compress drops a leading '/' unless asked not to: make sure the cases below are real
    byte[] tar = tar(file("../x", "x"), file(outside.resolve("y").toString(), "y"));
    assertEquals(List.of("../x", outside.resolve("y").toString()),
        DirectoryTarTest.entries(tar).stream().map(TarArchiveEntry::getName).toList());
  }

  @Test
  void refusesEntriesThatClimbOut() throws IOException {
    refuses(file("../x", "x"));
    refuses(file("a/../../x", "x"));
    refuses(file("ok/../../outside/keep", "overwritten"));
  }

  @Test
  void refusesAbsoluteNames() throws IOException {
    refuses(file(outside.resolve("x").toString(), "x"));
    refuses(file(outside.resolve("keep").toString(), "overwritten"));
  }

  @Test
  void refusesEntriesThroughASymlinkTheArchiveMade() throws IOException {
    refuses(symlink("l", outside.toString()), file("l/x", "x"));
    refuses(symlink("l", "../outside"), file("l/keep", "overwritten"));
    refuses(directory("a"), symlink("a/l", outside.toString()), file("a/l/x", "x"));
    // a directory entry naming the link would chmod and touch what it points at
    refuses(symlink("l", outside.toString()), entry(new TarArchiveEntry("l/", TarConstants.LF_DIR), 0777, null));
  }

  @Test
  void refusesTheDirectoryItself() throws IOException {
    refuses(directory("."));
  }

  @Test
  void aTruncatedArchiveFails() throws IOException {
    byte[] cut = Arrays.copyOf(tar(file("big", "x".repeat(5000))), 512 + 1024);
    assertThrows(IOException.class, () -> TarUnpacker.unpack(new ByteArrayInputStream(cut), into));
  }

  @Test
  void unpacksWhatStaysInside() throws IOException {
    TarUnpacker.unpack(new ByteArrayInputStream(tar(directory("a"), file("a/b/c", "c\n"),
        symlink("a/up", "../../outside/keep"), file("./d", "d\n"))), into);
    assertEquals(List.of("a/b/c", "a/up", "d"), Trees.files(into));
    assertEquals("c\n", Files.readString(into.resolve("a/b/c")));
    // a link may point anywhere; only writing through it is refused
    assertEquals(Path.of("../../outside/keep"), Files.readSymbolicLink(into.resolve("a/up")));
  }

  /** Unpacking {@code entries} fails and leaves everything but the target directory as it was. */
  private void refuses(Entry... entries) throws IOException {
    byte[] tar = tar(entries);
    IOException e = assertThrows(IOException.class, () -> TarUnpacker.unpack(new ByteArrayInputStream(tar), into));
    SortedMap<String, String> after = Trees.describe(tmp);
    after.keySet().removeIf(k -> k.equals("into") || k.startsWith("into/"));
    SortedMap<String, String> expected = new TreeMap<>(before);
    expected.remove("into");
    assertEquals(expected, after, "after: " + e.getMessage());
    // the next case starts from an empty directory again
    DurableFiles.deleteTree(into);
    Files.createDirectory(into);
  }

  private interface Entry {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private static Entry file(String name, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(bytes.length);
    return entry(e, 0644, bytes);
  }

  private static Entry directory(String name) {
    return entry(new TarArchiveEntry(name + "/", true), 0755, null);
  }

  private static Entry symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    return entry(e, 0777, null);
  }

  private static Entry entry(TarArchiveEntry e, int mode, byte[] content) {
    e.setMode(mode);
    e.setModTime(0);
    return tar -> {
      tar.putArchiveEntry(e);
      if (content != null) {
        tar.write(content);
      }
      tar.closeArchiveEntry();
    };
  }

  private static byte[] tar(Entry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        e.write(tar);
      }
    }
    return out.toByteArray();
  }
}
