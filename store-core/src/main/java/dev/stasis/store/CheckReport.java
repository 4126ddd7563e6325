package dev.stasis.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every problem found in a store, not just the first: generations pointing at nothing,
 * snapshots without files or checksum, malformed checksum records, bytes that do not match.
 */
public final class CheckReport {
  /** What is wrong. */
  public enum Kind {
    DANGLING_GENERATION,
    /** A generation entry that is not a link into its own component's snapshots ({@link StrayLink}). */
    STRAY_GENERATION,
    /** A snapshot directory holding no file: what a killed gc leaves, and Dysnomia takes for a snapshot. */
    EMPTY_DIRECTORY,
    MISSING_FILE,
    MISSING_CHECKSUM,
    MALFORMED_CHECKSUM,
    MISMATCH,
    /** A SHA-256 name that is neither the hash of the content nor of the file. */
    NAME_MISMATCH,
    /** The bytes match the checksum record but do not decompress. */
    CORRUPT_CONTENT,
    UNREADABLE
  }

  /**
   * One problem.
   *
   * @param subject {@code container/component/name}, or {@code container/component/N} for a generation
   * @param message what a person reads, in Dysnomia's words where it has them
   */
  public record Problem(Kind kind, String subject, String message) {}

  private final int snapshotsChecked;
  private final List<Problem> problems;

  private CheckReport(int snapshotsChecked, List<Problem> problems) {
    this.snapshotsChecked = snapshotsChecked;
    this.problems = List.copyOf(problems);
  }

  public int snapshotsChecked() {
    return snapshotsChecked;
  }

  public List<Problem> problems() {
    return problems;
  }

  public boolean clean() {
    return problems.isEmpty();
  }

  static CheckReport make(Store store, List<Generation> generations, Scope scope, boolean everything)
      throws IOException {
    Map<SnapshotRef, List<Generation>> referenced = new LinkedHashMap<>();
    for (Generation g : generations) {
      referenced.computeIfAbsent(g.snapshotRef(), r -> new ArrayList<>()).add(g);
    }
    Set<SnapshotRef> snapshots = new LinkedHashSet<>(referenced.keySet());
    if (everything) {
      Key base = scope.container().map(StoreLayout.SNAPSHOTS::resolve).orElse(StoreLayout.SNAPSHOTS);
      store.backend().list(base, o -> {
        SnapshotRef ref = StoreLayout.snapshotOf(StoreLayout.SNAPSHOTS, o.key());
        if (ref != null && scope.matches(ref.component())) {
          snapshots.add(ref);
        }
      });
    }
    List<Problem> problems = new ArrayList<>();
    strays(store, generations, scope, everything, problems);
    if (everything) {
      GcPlan.emptySnapshotDirectories(store.backend(), scope, ref -> problems.add(new Problem(Kind.EMPTY_DIRECTORY,
          ref.toString(), "snapshot directory " + ref + " holds no file (left by an interrupted gc; the real"
              + " Dysnomia takes it for a snapshot); stasis gc removes it when no generation points at it")));
    }
    for (SnapshotRef ref : snapshots) {
      check(store, ref, referenced.getOrDefault(ref, List.of()), problems);
    }
    return new CheckReport(snapshots.size(), problems);
  }

  /**
   * Every stray generation entry in scope when checking everything, else those among the
   * generations followed: the snapshot of the same name inside the store may verify, but the
   * link does not lead there.
   */
  private static void strays(Store store, List<Generation> followed, Scope scope, boolean everything,
      List<Problem> problems) throws IOException {
    Set<String> subjects = new LinkedHashSet<>();
    followed.forEach(g -> subjects.add(g.component() + "/" + g.number()));
    List<StrayLink> found = new ArrayList<>();
    store.backend().generations().strays(scope, found::add);
    found.stream().sorted(Comparator.comparing(StrayLink::component).thenComparingLong(StrayLink::number))
        .filter(s -> everything || subjects.contains(s.subject()))
        .forEach(s -> problems.add(new Problem(Kind.STRAY_GENERATION, s.subject(), s.describe())));
  }

  private static void check(Store store, SnapshotRef ref, List<Generation> pointing, List<Problem> problems) {
    String subject = ref.toString();
    if (readWhole(store, ref, problems)) {
      return;
    }
    Verdict v;
    try {
      v = store.verify(ref);
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(Kind.UNREADABLE, subject, "cannot read snapshot " + subject + ": " + reason(e)));
      return;
    }
    switch (v.kind()) {
      case OK -> expectedFile(store, ref, v, problems);
      case ABSENT -> {
        for (Generation g : pointing) {
          String gen = g.component() + "/" + g.number();
          problems.add(new Problem(Kind.DANGLING_GENERATION, gen,
              "generation " + gen + " points at a missing snapshot: " + subject));
        }
      }
      case NO_FILES -> problems.add(new Problem(Kind.MISSING_FILE, subject,
          "snapshot " + subject + " has a checksum but no files"));
      case NO_CHECKSUM -> problems.add(new Problem(Kind.MISSING_CHECKSUM, subject,
          "no checksum found for snapshot: " + subject));
      case MALFORMED_CHECKSUM -> problems.add(new Problem(Kind.MALFORMED_CHECKSUM, subject,
          "malformed checksum for snapshot: " + subject + ": '" + v.expected() + "'"));
      case MISMATCH -> problems.add(new Problem(Kind.MISMATCH, subject,
          "Checksum mismatch detected for snapshot: " + subject + ", we have: '" + v.computed()
              + "', we expect: '" + v.expected() + "'"));
    }
  }

  /**
   * Reads a one-file snapshot with a well-formed checksum record to its end, as a restore
   * would: one pass checks the record, the name (SHA-256 of the content or the file) and that
   * the content decompresses. Returns false when the snapshot is not of that kind (the caller
   * checks it by its record alone).
   */
  private static boolean readWhole(Store store, SnapshotRef ref, List<Problem> problems) {
    String subject = ref.toString();
    try {
      List<ObjectInfo> files = store.files(ref);
      Optional<String> expected = store.checksum(ref);
      if (files.size() != 1 || expected.isEmpty() || !DysnomiaChecksum.isWellFormed(expected.get())) {
        return false;
      }
      try (SnapshotReader reader = store.read(ref)) {
        reader.logical().transferTo(OutputStream.nullOutputStream());
      }
      expectedFile(store, ref, new Verdict(Verdict.Kind.OK, files, expected.get(), expected.get()), problems);
    } catch (DamageException e) {
      problems.add(new Problem(e.kind(), subject, e.getMessage()));
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(Kind.UNREADABLE, subject, "cannot read snapshot " + subject + ": " + reason(e)));
    }
    return true;
  }

  private static String reason(Exception e) {
    return e instanceof IOException io ? StoreException.reason(io) : e.getMessage();
  }

  /** A stasis snapshot must still hold the file its metadata names. */
  private static void expectedFile(Store store, SnapshotRef ref, Verdict v, List<Problem> problems) {
    Optional<SnapshotMeta> meta;
    try {
      meta = store.meta(ref);
    } catch (IOException e) {
      return;  // metadata is a convenience; the checksum verified the bytes
    }
    if (meta.isPresent()
        && v.files().stream().noneMatch(f -> f.key().name().equals(meta.get().file()))) {
      problems.add(new Problem(Kind.MISSING_FILE, ref.toString(),
          "snapshot " + ref + " lacks its file " + meta.get().file()));
    }
  }
}
