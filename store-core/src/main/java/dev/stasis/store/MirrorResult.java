package dev.stasis.store;

import java.util.List;

/**
 * What a mirror did.
 *
 * @param sent snapshots copied to the destination
 * @param skipped snapshots of the source's generations not copied because the destination had
 *     them (up-to-date generations included)
 * @param linked generations created at the destination
 * @param bytes bytes copied
 * @param failures the snapshots that could not be mirrored; each stopped its component
 * @param collected what {@code --keep} deleted at the destination afterwards
 */
public record MirrorResult(int sent, int skipped, int linked, long bytes, List<Failure> failures,
    List<GcPlan.Action> collected) {

  public MirrorResult {
    failures = List.copyOf(failures);
    collected = List.copyOf(collected);
  }

  /**
   * A snapshot that was not mirrored.
   *
   * @param integrity whether its bytes did not verify (damaged at the source, or in transit)
   *     rather than failing otherwise (an I/O error, a snapshot stasis cannot mirror)
   * @param left how many later generations of its component were not mirrored because of it
   */
  public record Failure(SnapshotRef snapshot, boolean integrity, String message, int left) {}

  /** Whether everything was mirrored. */
  public boolean complete() {
    return failures.isEmpty();
  }

  /** Whether any failure was damage, which outranks other failures in the exit code. */
  public boolean damaged() {
    return failures.stream().anyMatch(Failure::integrity);
  }
}
