package dev.stasis.store;

/**
 * What an ingest or import did.
 *
 * @param generation the component's newest generation, now pointing at the snapshot
 * @param newGeneration whether that generation was created by this call
 * @param deduplicated whether the snapshot already existed (and verified), so nothing was written
 * @param logicalSize bytes of the logical stream (-1 when not known, as for an unverified import)
 * @param storedSize bytes stored
 * @param xzForm whether the state was already stored in another compression and this snapshot is
 *     its xz form, asked for so that the real Dysnomia can restore it: named, as Dysnomia names
 *     its own snapshots, by the SHA-256 of the xz file
 */
public record IngestResult(Generation generation, boolean newGeneration, boolean deduplicated, long logicalSize,
    long storedSize, boolean xzForm) {

  public IngestResult(Generation generation, boolean newGeneration, boolean deduplicated, long logicalSize,
      long storedSize) {
    this(generation, newGeneration, deduplicated, logicalSize, storedSize, false);
  }

  public SnapshotRef snapshot() {
    return generation.snapshotRef();
  }
}
