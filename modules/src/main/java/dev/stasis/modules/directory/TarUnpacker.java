package dev.stasis.modules.directory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar into an empty directory, refusing entries that would land outside it (absolute
 * names, {@code ..}, paths through a symlink the archive made). Files are fsynced, so a swap
 * that follows never publishes data a crash could lose; modes and mtimes are restored,
 * directories' last.
 */
public final class TarUnpacker {
  private record Dir(Path path, int mode, FileTime mtime) {}

  private TarUnpacker() {}

  /** Unpacks {@code in} into {@code into}, which must exist and be empty; reads {@code in} to its end. */
  public static void unpack(InputStream in, Path into) throws IOException {
    Deque<Dir> dirs = new ArrayDeque<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8");
    for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
      Path target = safeTarget(into, e.getName());
      FileTime mtime = FileTime.from(e.getLastModifiedDate().toInstant());
      if (e.isDirectory()) {
        Files.createDirectories(target);
        dirs.push(new Dir(target, e.getMode(), mtime));
      } else if (e.isSymbolicLink()) {
        Files.createDirectories(target.getParent());
        Files.createSymbolicLink(target, target.getFileSystem().getPath(e.getLinkName()));
        setTime(target, mtime);
      } else if (e.isFile()) {
        Files.createDirectories(target.getParent());
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          long n = tar.transferTo(Channels.newOutputStream(ch));
          if (n != e.getSize()) {
            throw new IOException("truncated archive at " + e.getName());
          }
          ch.force(true);
        }
        setMode(target, e.getMode());
        setTime(target, mtime);
      } else {
        throw new IOException("unsupported entry type in archive: " + e.getName());
      }
    }
    in.transferTo(java.io.OutputStream.nullOutputStream());  // the rest, so a verifying stream sees its end
    for (Dir d : dirs) {  // deepest first: setting a child's time changes its parent's
      setMode(d.path(), d.mode());
      setTime(d.path(), d.mtime());
    }
  }

  private static Path safeTarget(Path into, String name) throws IOException {
    String clean = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    if (clean.isEmpty() || clean.startsWith("/") || clean.contains("\0")) {
      throw new IOException("refusing archive entry " + name + ": not a relative path");
    }
    Path target = into;
    for (String segment : clean.split("/")) {
      if (segment.equals("..")) {
        throw new IOException("refusing archive entry " + name + ": it climbs out with '..'");
      }
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (Files.isSymbolicLink(target)) {
        throw new IOException("refusing archive entry " + name + ": it goes through a symlink");
      }
      target = target.resolve(segment);
    }
    if (target.equals(into)) {
      throw new IOException("refusing archive entry " + name + ": it names the directory itself");
    }
    if (Files.isSymbolicLink(target)) {  // a directory entry would chmod and touch what the link points at
      throw new IOException("refusing archive entry " + name + ": it names a symlink the archive made");
    }
    return target;
  }

  private static void setMode(Path p, int mode) throws IOException {
    try {
      Files.setAttribute(p, "unix:mode", mode & 07777);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
      for (PosixFilePermission perm : PosixFilePermission.values()) {
        if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
          perms.add(perm);
        }
      }
      Files.setPosixFilePermissions(p, perms);
    }
  }

  private static void setTime(Path p, FileTime mtime) {
    try {
      Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(mtime, null, null);
    } catch (IOException e) {
      // a symlink's time cannot be set everywhere; the content is what matters
    }
  }
}
