package dev.stasis.store;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where a destination's history of one component stands in the source's: how many of the
 * source's generations, oldest first, the destination is up to date with. The rest are new.
 *
 * <p>It follows generations, not snapshot names: in a source history A, B, A, a destination
 * holding only the first A lacks B and the second A, though it has every snapshot name but B's.
 * A mirror therefore records which source generation its last link came from
 * ({@link MirrorRecord}); without a usable record the two histories are lined up in order.
 */
final class MirrorHistory {
  private MirrorHistory() {}

  /**
   * How many of {@code source}'s generations {@code destination} is up to date with; empty when
   * the two do not line up (the destination's newest generations are nowhere in the source's
   * history: it diverged, or the source was collected past them without a record saying so).
   *
   * @param record the destination's record of the last link, from this source
   */
  static OptionalInt upToDate(List<Generation> source, List<Generation> destination, Optional<MirrorRecord> record) {
    if (destination.isEmpty()) {
      return OptionalInt.of(0);
    }
    if (record.isPresent()) {
      OptionalInt anchored = fromRecord(source, destination, record.get());
      if (anchored.isPresent()) {
        return anchored;
      }
    }
    return lineUp(names(source), names(destination));
  }

  /**
   * Starts at the recorded pair of generations and walks on while both histories agree (a link
   * made after the record was written, by a run that died before writing the next). Empty when
   * the record does not fit: its destination generation is gone or changed, the source's
   * generation of that number points elsewhere (another history), or the destination has
   * generations after the walk that the source does not explain.
   */
  private static OptionalInt fromRecord(List<Generation> source, List<Generation> destination, MirrorRecord r) {
    int d = indexOf(destination, r.generation(), r.snapshot());
    if (d < 0) {
      return OptionalInt.empty();
    }
    int s = indexOf(source, r.sourceGeneration(), r.snapshot());
    if (s < 0 && source.get(0).number() <= r.sourceGeneration()) {
      return OptionalInt.empty();
    }
    // s < 0 otherwise: the source collected everything up to the recorded generation, and all it
    // has now came later. Generation numbers only grow, so that is safe to conclude.
    int i = d + 1;
    int j = s + 1;
    while (i < destination.size() && j < source.size()
        && destination.get(i).snapshot().equals(source.get(j).snapshot())) {
      i++;
      j++;
    }
    return i == destination.size() ? OptionalInt.of(j) : OptionalInt.empty();
  }

  /**
   * Lines up two histories without a record, in order. Either the whole destination history
   * appears in the source's (the destination collected its older generations, or nothing was
   * collected), and the earliest place counts, so a repeated state never makes a mirror skip the
   * generations after its first occurrence (at worst it links them again); or the destination's
   * history ends the way the source's begins (the source collected older ones), and the longest
   * such overlap counts. Quadratic in the worst case, which only histories without a record and
   * with long repeated runs reach.
   */
  static OptionalInt lineUp(List<SnapshotName> source, List<SnapshotName> destination) {
    int n = destination.size();
    for (int at = 0; at + n <= source.size(); at++) {
      if (source.subList(at, at + n).equals(destination)) {
        return OptionalInt.of(at + n);
      }
    }
    for (int overlap = Math.min(n - 1, source.size()); overlap > 0; overlap--) {
      if (source.subList(0, overlap).equals(destination.subList(n - overlap, n))) {
        return OptionalInt.of(overlap);
      }
    }
    return OptionalInt.empty();
  }

  private static int indexOf(List<Generation> gens, long number, SnapshotName snapshot) {
    for (int i = 0; i < gens.size(); i++) {
      if (gens.get(i).number() == number) {
        return gens.get(i).snapshot().equals(snapshot) ? i : -1;
      }
    }
    return -1;
  }

  private static List<SnapshotName> names(List<Generation> gens) {
    return gens.stream().map(Generation::snapshot).toList();
  }
}
