package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** How many source generations a destination is up to date with, with and without a record of the last link. */
class MirrorHistoryTest {
  private static final ComponentRef DB = new ComponentRef("pgc", "testdb");

  /** Generations numbered from {@code first}, pointing at the snapshots named by one letter each. */
  private static List<Generation> history(long first, String letters) {
    List<Generation> gens = new ArrayList<>();
    for (String letter : letters.split("")) {
      gens.add(new Generation(DB, first + gens.size(), new SnapshotName(letter)));
    }
    return gens;
  }

  private static OptionalInt upToDate(List<Generation> source, List<Generation> destination, MirrorRecord record) {
    return MirrorHistory.upToDate(source, destination, Optional.ofNullable(record));
  }

  private static MirrorRecord record(long sourceGeneration, long generation, String snapshot) {
    return new MirrorRecord("mem://source/", sourceGeneration, generation, new SnapshotName(snapshot));
  }

  @Test
  void aFreshDestinationHasNothing() {
    assertEquals(OptionalInt.of(0), upToDate(history(1, "ABAC"), List.of(), null));
  }

  @Test
  void theRecordSaysWhichOfTwoEqualStatesCameLast() {
    // A, mirrored; the destination kept only it (--keep 1) after mirroring A, B, A
    assertEquals(OptionalInt.of(1), upToDate(history(1, "ABAC"), history(1, "A"), record(1, 1, "A")));
    assertEquals(OptionalInt.of(3), upToDate(history(1, "ABAC"), history(3, "A"), record(3, 3, "A")));
  }

  @Test
  void linksMadeAfterTheRecordAreWalkedInOrder() {
    assertEquals(OptionalInt.of(3), upToDate(history(1, "ABAB"), history(1, "ABA"), record(1, 1, "A")));
  }

  @Test
  void aSourceCollectedPastTheRecordHasOnlyNewGenerations() {
    assertEquals(OptionalInt.of(0), upToDate(history(3, "C"), history(1, "A"), record(1, 1, "A")));
  }

  @Test
  void aRecordThatDoesNotFitIsNotUsed() {
    // the source's generation 1 is not A: another history; lined up without the record instead
    assertEquals(OptionalInt.of(2), upToDate(history(1, "BA"), history(1, "A"), record(1, 1, "A")));
    // the destination has a generation of its own after the recorded one
    assertEquals(OptionalInt.empty(), upToDate(history(1, "AB"), history(1, "AX"), record(1, 1, "A")));
  }

  @Test
  void withoutARecordTheEarliestPlaceOfTheWholeDestinationHistoryCounts() {
    assertEquals(OptionalInt.of(1), lineUp("ABAC", "A"));
    assertEquals(OptionalInt.of(3), lineUp("ABAC", "ABA"));
    assertEquals(OptionalInt.of(3), lineUp("ABAC", "BA"), "the destination collected its first A");
  }

  @Test
  void withoutARecordAHistoryEndingHowTheSourcesBeginsCounts() {
    assertEquals(OptionalInt.of(2), lineUp("BAC", "ABA"), "the source collected its first A");
    assertEquals(OptionalInt.empty(), lineUp("ABC", "X"));
    assertEquals(OptionalInt.empty(), lineUp("ABC", "AX"));
  }

  private static OptionalInt lineUp(String source, String destination) {
    return MirrorHistory.lineUp(names(source), names(destination));
  }

  private static List<SnapshotName> names(String letters) {
    return Arrays.stream(letters.split("")).map(SnapshotName::new).toList();
  }
}
