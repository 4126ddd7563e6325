package dev.stasis.modules.directory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A deterministic tar of a directory: the same tree gives the same bytes, whoever owns it and
 * whenever it was last read. Entries come in byte order of their names within each directory
 * (as {@code tar --sort=name}); only name, type, mode, size, mtime in whole seconds and link
 * target are recorded (uid and gid 0, no user or group names, no access or change times).
 * Long names and files over 8 GiB use POSIX (PAX) headers. A file that changes while it is read
 * fails the snapshot instead of storing a torn copy.
 */
public final class DirectoryTar {
  private static final int FILE = 0100000;
  private static final int DIR = 040000;
  private static final int LINK = 0120000;

  /** Called after a file's bytes are read and before it is checked for changes: a seam for fault injection. */
  public interface AfterRead {
    void accept(Path file) throws IOException;
  }

  private final Consumer<String> warnings;
  private final AfterRead afterRead;

  /** @param warnings told of what is left out, such as sockets and devices */
  public DirectoryTar(Consumer<String> warnings) {
    this(warnings, file -> {});
  }

  public DirectoryTar(Consumer<String> warnings, AfterRead afterRead) {
    this.warnings = warnings;
    this.afterRead = afterRead;
  }

  /** Writes the tar of {@code dir}'s contents (not {@code dir} itself) to {@code out}, and finishes it. */
  public void write(Path dir, OutputStream out) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new java.nio.file.NoSuchFileException(dir + " (not a directory)");
    }
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    addChildren(tar, dir, "");
    tar.finish();
    tar.flush();
  }

  private void addChildren(TarArchiveOutputStream tar, Path dir, String prefix) throws IOException {
    for (Path child : sortedChildren(dir)) {
      String name = prefix + child.getFileName().toString();
      BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isDirectory()) {
        tar.putArchiveEntry(entry(name + "/", TarConstants.LF_DIR, DIR | mode(child), a));
        tar.closeArchiveEntry();
        addChildren(tar, child, name + "/");
      } else if (a.isSymbolicLink()) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, LINK | 0777, a);
        e.setLinkName(Files.readSymbolicLink(child).toString());
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      } else if (a.isRegularFile()) {
        addFile(tar, child, name, a);
      } else {
        warnings.accept("skipped " + child + ": not a file, directory or symlink (socket, pipe or device)");
      }
    }
  }

  private void addFile(TarArchiveOutputStream tar, Path file, String name, BasicFileAttributes before)
      throws IOException {
    TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, FILE | mode(file), before);
    e.setSize(before.size());
    tar.putArchiveEntry(e);
    long copied = 0;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; copied < before.size() && (n = in.read(buffer, 0, (int) Math.min(buffer.length, before.size() - copied))) > 0; ) {
        tar.write(buffer, 0, n);
        copied += n;
      }
      afterRead.accept(file);
      if (copied < before.size() || in.read() >= 0) {
        throw changed(file);
      }
    }
    BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (after.size() != before.size() || !after.lastModifiedTime().equals(before.lastModifiedTime())) {
      throw changed(file);
    }
    tar.closeArchiveEntry();
  }

  private static IOException changed(Path file) {
    return new IOException(file + " changed while it was read; nothing was stored."
        + " Stop the service writing to it (or use its own dump tool) and try again");
  }

  private static TarArchiveEntry entry(String name, byte type, int mode, BasicFileAttributes a) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setMode(mode);
    e.setIds(0, 0);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(FileTime.from(a.lastModifiedTime().to(TimeUnit.SECONDS), TimeUnit.SECONDS));
    return e;
  }

  /** Permission bits with setuid, setgid and sticky, without the file type. */
  public static int mode(Path p) throws IOException {
    try {
      return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      int mode = 0;
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      for (PosixFilePermission perm : perms) {
        mode |= 1 << (8 - perm.ordinal());
      }
      return mode;
    }
  }

  private static List<Path> sortedChildren(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    }
    children.sort((x, y) -> Arrays.compareUnsigned(bytes(x), bytes(y)));
    return children;
  }

  private static byte[] bytes(Path p) {
    return p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
  }
}
