package dev.stasis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Copies one snapshot's file between stores, verified: the bytes handed to the destination's
 * writer are hashed into Dysnomia's checksum as they pass, and the result must equal the
 * source's checksum record before the writer is committed. A mismatch (the source is damaged,
 * or the bytes changed on the way) aborts the writer, so nothing of the snapshot is published.
 * A mismatch is read again from the start, up to {@link #READS} reads in all: a hop that damaged
 * one transfer does not fail the mirror. Reads that all give the same wrong bytes are the stored
 * snapshot's damage (exit 3); reads that differ are the transfer's (exit 1), the source possibly
 * intact. (A hop that damages every read the same way looks like damage at the source.)
 */
final class SnapshotCopy {
  private static final int BUFFER = 1 << 20;
  /** Reads of a source snapshot before its mismatch is final: the first and two more. */
  static final int READS = 3;

  private SnapshotCopy() {}

  /**
   * Sends {@code snapshot} from {@code from} to {@code to} and publishes it there with the
   * engine's commit protocol, linking a generation unless the newest already points at it.
   *
   * @return the publish result and the bytes sent
   * @throws IntegrityException when the source lacks a valid checksum or the bytes do not match it
   * @throws StoreException for a snapshot of several files (Dysnomia's directory snapshots)
   */
  static Copied copy(Store from, Store to, SnapshotRef snapshot, Mirror.Listener listener) throws IOException {
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
    List<String> reads = new ArrayList<>();
    while (true) {
      MessageDigest digest = DysnomiaChecksum.startOneFile(name);
      try (ObjectWriter writer = to.receive(StoreLayout.snapshotFile(snapshot, name))) {
        long size;
        try (InputStream in = from.backend().open(file.key())) {
          size = copy(in, writer.output(), digest, listener);
        }
        String computed = DysnomiaChecksum.format(digest.digest());
        if (computed.equals(expected)) {
          Optional<SnapshotMeta> meta = from.meta(snapshot);
          IngestResult result = to.publish(writer, snapshot, name, expected, meta.orElse(null),
              meta.map(SnapshotMeta::logicalSize).orElse(-1L), size);
          return new Copied(result, size);
        }
        reads.add(computed);
      }  // not published: closing the writer aborts it
      if (reads.size() == READS) {
        throw mismatch(from, snapshot, expected, reads);
      }
      listener.retrying(snapshot, "the bytes of snapshot " + snapshot + " read from " + from.location(snapshot)
          + " do not match its checksum record; reading them again (" + (reads.size() + 1) + " of " + READS + ")");
    }
  }

  /** The final mismatch, worded by where the bytes went wrong: in the stored snapshot, or on their way. */
  private static StoreException mismatch(Store from, SnapshotRef snapshot, String expected, List<String> reads) {
    if (reads.stream().distinct().count() == 1) {
      return new IntegrityException("checksum mismatch for snapshot %s at the source: %d reads gave the same bytes,"
          + " which give '%s', the record says '%s': the stored snapshot at %s is damaged (run stasis check there);"
          + " nothing of it was published", snapshot, reads.size(), reads.get(0), expected, from.location(snapshot));
    }
    return new StoreException("snapshot %s was damaged on its way from %s: %d reads gave %d different checksums, none"
        + " the record's '%s', so the transfer damages it and the stored snapshot may be intact (stasis check there"
        + " tells); nothing of it was published", snapshot, from.location(snapshot), reads.size(),
        reads.stream().distinct().count(), expected);
  }

  /** A copied snapshot: how it was published and the bytes sent. */
  record Copied(IngestResult result, long bytes) {}

  private static long copy(InputStream in, OutputStream out, MessageDigest digest, Mirror.Listener listener)
      throws IOException {
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
      digest.update(buffer, 0, n);
      out.write(buffer, 0, n);
      total += n;
      listener.progress(n);
    }
    return total;
  }
}
