package dev.stasis.store;

/**
 * What an ingest or import did.
 *
 * @param generation the component's newest generation, now pointing at the snapshot
 * @param newGeneration whether that generation was created by this call
 * @param deduplicated whether the snapshot already existed (and verified), so nothing was written
 * @param logicalSize bytes of the logical stream (-1 when not known, as for an unverified import)
 * @param storedSize bytes stored
 */
public record IngestResult(
    Generation generation, boolean newGeneration, boolean deduplicated, long logicalSize, long storedSize) {

  public SnapshotRef snapshot() {
    return generation.snapshotRef();
  }
}
