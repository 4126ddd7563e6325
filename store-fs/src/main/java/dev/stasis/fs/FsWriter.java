package dev.stasis.fs;

import dev.stasis.store.Key;
import dev.stasis.store.ObjectWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * A staged object in {@code .stasis/tmp/<uuid>/data}, OS-locked while its writer lives so the
 * sweep of a later command can tell it from the leftovers of a killed one.
 *
 * <p>Commit fsyncs the data, names it, and renames it into place. When the key's directory does
 * not exist yet (a new snapshot) the whole staging directory is renamed to it, so a snapshot
 * directory appears together with its file, never empty.
 */
final class FsWriter implements ObjectWriter {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final FsBackend backend;
  private final Path dir;
  private final Path data;
  private final FileChannel channel;
  private final Writeback writeback;
  private final OutputStream output;
  private boolean closed;

  private FsWriter(FsBackend backend, Path dir, Path data, FileChannel channel) {
    this.backend = backend;
    this.dir = dir;
    this.data = data;
    this.channel = channel;
    this.writeback = new Writeback(channel);
    this.output = new ChannelOutput(channel, writeback);
  }

  static FsWriter create(FsBackend backend) throws IOException {
    Path tmp = backend.tmp();
    for (int attempt = 0; ; attempt++) {
      Dirs.create(tmp);
      Path dir = tmp.resolve(UUID.randomUUID().toString());
      Staging.ACTIVE.add(dir);
      FileChannel channel = null;
      try {
        Dirs.createOne(dir);  // may become a snapshot directory, by rename
        Path data = dir.resolve("data");
        channel = open(data);
        FileLock lock = channel.tryLock();
        // A sweep in another process may have taken the file for stale between our create and
        // our lock, and deleted it: then the path no longer names our file, and we start over.
        if (lock != null && Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
          return new FsWriter(backend, dir, data, channel);
        }
      } catch (NoSuchFileException | FileAlreadyExistsException raced) {
        if (attempt >= 5) {
          throw raced;
        }
      } catch (IOException | RuntimeException e) {
        Staging.ACTIVE.remove(dir);
        if (channel != null) {
          channel.close();
        }
        throw e;
      }
      if (channel != null) {
        channel.close();
      }
      Staging.ACTIVE.remove(dir);
      if (attempt >= 5) {
        throw new IOException("cannot create a staging file in " + tmp);
      }
    }
  }

  /**
   * Creates the staging file readable by its owner only while it is written; it is published
   * {@code rw-r--r--} ({@link Dirs}).
   */
  private static FileChannel open(Path data) throws IOException {
    Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    if (data.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return FileChannel.open(data, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    return FileChannel.open(data, options);
  }

  @Override
  public OutputStream output() {
    return output;
  }

  @Override
  public String describe() {
    return data.toString();
  }

  @Override
  public void commit(Key key) throws IOException {
    if (closed) {
      throw new IllegalStateException("writer already committed or closed: " + data);
    }
    try {
      Dirs.chmod(data, Dirs.FILE);
      writeback.stop();
      writeback.check();
      channel.force(true);
      Path target = backend.path(key);
      Path named = dir.resolve(key.name());
      Files.move(data, named, StandardCopyOption.ATOMIC_MOVE);
      publish(named, target);
    } finally {
      close();
    }
  }

  private void publish(Path named, Path target) throws IOException {
    Path parent = target.getParent();
    for (int attempt = 0; ; attempt++) {
      try {
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS) && publishDirectory(parent)) {
          return;
        }
        Files.move(named, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Dirs.fsync(parent);
        return;
      } catch (NoSuchFileException e) {
        if (attempt >= 3 || !Files.exists(named)) {
          throw e;  // not a pruned parent directory: a real failure
        }
      }
    }
  }

  /** Renames the staging directory to {@code parent}; false when someone created it first. */
  private boolean publishDirectory(Path parent) throws IOException {
    Dirs.fsync(dir);
    Dirs.create(parent.getParent());
    try {
      Files.move(dir, parent, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      throw e;
    }
    Dirs.fsync(parent.getParent());
    return true;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    writeback.stop();
    try {
      channel.close();  // releases the lock
    } catch (IOException ignored) {
      // nothing was published; the files go below
    }
    Staging.deleteTree(dir);
    Staging.ACTIVE.remove(dir);
  }

  /** Writes to the channel, written back as it goes; close only flushes (the writer commits or aborts). */
  private static final class ChannelOutput extends OutputStream {
    private final FileChannel channel;
    private final Writeback writeback;

    ChannelOutput(FileChannel channel, Writeback writeback) {
      this.channel = channel;
      this.writeback = writeback;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      writeback.wrote(len);
    }

    @Override
    public void close() {
      // the channel stays open until commit or abort
    }
  }
}
