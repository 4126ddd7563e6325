package dev.stasis.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies one snapshot's file between stores, verified in the one pass that sends it: the stored
 * bytes go to the destination's writer through a {@link SnapshotReader}, which hashes them into
 * Dysnomia's checksum and into the file's SHA-256 and decompresses them into the logical
 * stream's SHA-256. Before the writer is committed the checksum must equal the source's record
 * and a name of SHA-256 form must be the hash of the content or of the file (a snapshot stored
 * under another's name is refused, as {@code check} finds it). A mismatch aborts the writer, so
 * nothing of the snapshot is published.
 *
 * <p>A checksum mismatch is read again from the start, up to {@link #READS} reads in all: a hop
 * that damaged one transfer does not fail the mirror. Reads that all give the same wrong bytes
 * are the stored snapshot's damage (exit 3); reads that differ are the transfer's (exit 1), the
 * source possibly intact. (A hop that damages every read the same way looks like damage at the
 * source.) A wrong name or content that does not decompress under a matching checksum is the
 * stored snapshot's damage at once.
 */
final class SnapshotCopy {
  private static final int BUFFER = 1 << 20;
  /** Reads of a source snapshot before its mismatch is final: the first and two more. */
  static final int READS = 3;

  private SnapshotCopy() {}

  /**
   * Sends {@code snapshot} from {@code from} to {@code to} and publishes it there with the
   * engine's commit protocol; with {@code link}, links a generation unless the newest already
   * points at it (without, it puts back a snapshot the destination's generations point at).
   *
   * @return how it was published and the bytes sent
   * @throws IntegrityException when the source lacks a valid checksum, the bytes do not match it,
   *     do not match the snapshot's name, or do not decompress
   * @throws StoreException for a snapshot of several files (Dysnomia's directory snapshots)
   */
  static Copied copy(Store from, Store to, SnapshotRef snapshot, boolean link, Mirror.Listener listener)
      throws IOException {
    return copy(from, to, snapshot, link, listener, new ChunkCopy.Present(to));
  }

  /** As above; a chunked snapshot sends only the chunks {@code present} does not name. */
  static Copied copy(Store from, Store to, SnapshotRef snapshot, boolean link, Mirror.Listener listener,
      ChunkCopy.Present present) throws IOException {
    List<ObjectInfo> files = from.files(snapshot);
    if (files.isEmpty()) {
      throw new IntegrityException("snapshot %s is missing at the source (a dangling generation; run stasis check)",
          snapshot);
    }
    if (files.size() != 1) {
      throw new StoreException("snapshot %s holds %d files (a Dysnomia module's directory snapshot); stasis mirrors"
          + " one-file snapshots only: copy it with dysnomia-snapshots --resolve and --import", snapshot, files.size());
    }
    String expected = from.checksum(snapshot).filter(DysnomiaChecksum::isWellFormed)
        .orElseThrow(() -> new IntegrityException("snapshot %s has no valid checksum at the source; refusing to"
            + " mirror unverifiable data (run stasis check)", snapshot));
    ObjectInfo file = files.get(0);
    String name = file.key().name();
    listener.sending(snapshot, file.size());
    if (Compression.ofFileName(name) == Compression.CHUNKED) {
      return ChunkCopy.copy(from, to, snapshot, file, expected, link, listener, present);
    }
    List<String> reads = new ArrayList<>();
    while (true) {
      try (ObjectWriter writer = to.receive(StoreLayout.snapshotFile(snapshot, name))) {
        Sent sent = new Sent(writer.output(), listener);
        try {
          send(from, snapshot, file.key(), expected, sent);
        } catch (DamageException e) {
          if (e.computed() == null) {
            throw refused(e);  // a wrong name, or content that does not decompress: the stored snapshot's
          }
          reads.add(e.computed());
          if (reads.size() == READS) {
            throw mismatch(from, snapshot, expected, reads, e);
          }
          listener.retrying(snapshot, "the bytes of snapshot " + snapshot + " read from " + from.location(snapshot)
              + " do not match its checksum record; reading them again (" + (reads.size() + 1) + " of " + READS + ")");
          continue;  // not published: closing the writer aborts it
        }
        SnapshotMeta meta = from.meta(snapshot).orElse(null);
        if (!link) {
          return new Copied(null, to.publishUnlinked(writer, snapshot, name, expected, meta), sent.count);
        }
        IngestResult result = to.publish(writer, snapshot, name, expected, meta,
            meta == null ? -1 : meta.logicalSize(), sent.count);
        return new Copied(result, result.deduplicated(), sent.count);
      }
    }
  }

  /**
   * Publishes a snapshot whose stored bytes arrive on {@code bytes} (sent by another store),
   * verified in the one pass that writes them; read once, so a mismatch is final.
   */
  static IngestResult receive(Store to, StoredFile file, InputStream bytes) throws IOException {
    try (ObjectWriter writer = to.receive(StoreLayout.snapshotFile(file.snapshot(), file.file()))) {
      Sent out = new Sent(writer.output(), new Mirror.Listener() {});
      try (SnapshotReader reader = SnapshotReader.receiving(file.snapshot(), file.file(), file.checksum(), bytes, out)) {
        drain(reader.logical());
      } catch (DamageException e) {
        throw refused(e, "sent damaged");
      }
      if (out.count != file.size()) {
        throw new IntegrityException("snapshot %s arrived with %d bytes, not the %d sent; nothing of it was published",
            file.snapshot(), out.count, file.size());
      }
      SnapshotMeta meta = file.meta();
      return to.publish(writer, file.snapshot(), file.file(), file.checksum(), meta,
          meta == null ? -1 : meta.logicalSize(), out.count);
    }
  }

  /** The final mismatch, worded by where the bytes went wrong: in the stored snapshot, or on their way. */
  private static StoreException mismatch(Store from, SnapshotRef snapshot, String expected, List<String> reads,
      DamageException last) {
    if (reads.stream().distinct().count() == 1) {
      return refused(last, "%d reads gave the same bytes: the stored snapshot at the source, %s, is damaged"
          + " (run stasis check there)", reads.size(), from.location(snapshot));
    }
    return new StoreException("snapshot %s was damaged on its way from %s: %d reads gave %d different checksums, none"
        + " the record's '%s', so the transfer damages it and the stored snapshot may be intact (stasis check there"
        + " tells); nothing of it was published", snapshot, from.location(snapshot), reads.size(),
        reads.stream().distinct().count(), expected);
  }

  private static IntegrityException refused(DamageException e) {
    return refused(e, "damaged at the source");
  }

  private static IntegrityException refused(DamageException e, String format, Object... args) {
    IntegrityException refused = new IntegrityException("%s (%s); nothing of it was published", e.getMessage(),
        String.format(format, args));
    refused.initCause(e);
    return refused;
  }

  /**
   * A copied snapshot.
   *
   * @param linked the publish result, or null when no generation was to be linked
   * @param deduplicated whether the destination had it, verified, by the time it was published
   *     (someone else put it there meanwhile), so the bytes sent were dropped
   */
  record Copied(IngestResult linked, boolean deduplicated, long bytes) {}

  /** Streams the file into {@code out}; returns only if it verified, by its checksum record and its name. */
  private static void send(Store from, SnapshotRef snapshot, Key file, String expected, OutputStream out)
      throws IOException {
    try (SnapshotReader reader = SnapshotReader.copying(from.backend(), snapshot, file, expected, out)) {
      drain(reader.logical());
    }
  }

  /** Reads {@code logical} to its end: its bytes are only hashed; the stored ones went to the copy on their way. */
  private static void drain(InputStream logical) throws IOException {
    byte[] buffer = new byte[BUFFER];
    while (logical.read(buffer) >= 0) {
      // hashed by the reader
    }
  }

  /** The destination's output, counting what it is given and telling the listener. */
  static final class Sent extends FilterOutputStream {
    private final Mirror.Listener listener;
    long count;

    Sent(OutputStream out, Mirror.Listener listener) {
      super(out);
      this.listener = listener;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
      listener.progress(len);
    }

    @Override
    public void close() {
      // the writer's commit or close ends its output, not this
    }
  }
}
