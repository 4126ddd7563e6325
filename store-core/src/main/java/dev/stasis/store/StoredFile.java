package dev.stasis.store;

/**
 * A one-file snapshot as it is stored, described for sending it to another store as a stream
 * ({@link Store#stored(SnapshotRef)}, {@link Store#receive(StoredFile, java.io.InputStream)}):
 * the receiver verifies the bytes against {@code checksum} and the snapshot's name.
 *
 * @param snapshot the snapshot
 * @param file the stored file's name, such as {@code dump.pgsql.zst}
 * @param size the stored file's size
 * @param checksum Dysnomia's checksum record of the snapshot
 * @param meta what stasis recorded of it, or null for a snapshot stasis did not make
 */
public record StoredFile(SnapshotRef snapshot, String file, long size, String checksum, SnapshotMeta meta) {
  public StoredFile {
    Names.requireSafe(file, "file name");
    if (!DysnomiaChecksum.isWellFormed(checksum)) {
      throw new IntegrityException("snapshot %s has no valid checksum record; refusing to send unverifiable data",
          snapshot);
    }
  }
}
