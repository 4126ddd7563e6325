package dev.stasis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Copies one snapshot's file between stores, verified: the bytes handed to the destination's
 * writer are hashed into Dysnomia's checksum as they pass, and the result must equal the
 * source's checksum record before the writer is committed. A mismatch (the source is damaged,
 * or the bytes changed on the way) aborts the writer, so nothing of the snapshot is published.
 * On S3 every part also carries its SHA-256, which the server checks.
 */
final class SnapshotCopy {
  private static final int BUFFER = 1 << 20;

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
    MessageDigest digest = DysnomiaChecksum.startOneFile(name);
    try (ObjectWriter writer = to.receive(StoreLayout.snapshotFile(snapshot, name))) {
      long size;
      try (InputStream in = from.backend().open(file.key())) {
        size = copy(in, writer.output(), digest, listener);
      }
      String computed = DysnomiaChecksum.format(digest.digest());
      if (!computed.equals(expected)) {
        throw new IntegrityException("checksum mismatch for snapshot %s at the source: the bytes give '%s', the"
            + " record says '%s'; nothing of it was published", snapshot, computed, expected);
      }
      Optional<SnapshotMeta> meta = from.meta(snapshot);
      IngestResult result = to.publish(writer, snapshot, name, expected, meta.orElse(null),
          meta.map(SnapshotMeta::logicalSize).orElse(-1L), size);
      return new Copied(result, size);
    }
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
