package dev.stasis.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

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
    /** A chunked snapshot's chunk is not in the store. */
    MISSING_CHUNK,
    /** A chunked snapshot's chunk does not decompress, or not to the bytes its name and index promise. */
    DAMAGED_CHUNK,
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
    return make(store, generations, scope, everything, sha256 -> true);
  }

  /**
   * As {@link #make(Store, List, Scope, boolean)}; of the chunks of chunked snapshots, only those
   * {@code readChunk} takes are read and verified, the others only found present.
   */
  static CheckReport make(Store store, List<Generation> generations, Scope scope, boolean everything,
      Predicate<String> readChunk) throws IOException {
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
    ChunkVerdicts chunks = new ChunkVerdicts(store.backend(), readChunk);
    for (SnapshotRef ref : snapshots) {
      check(store, ref, referenced.getOrDefault(ref, List.of()), chunks, problems);
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

  private static void check(Store store, SnapshotRef ref, List<Generation> pointing, ChunkVerdicts chunks,
      List<Problem> problems) {
    String subject = ref.toString();
    if (readWhole(store, ref, chunks, problems)) {
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
  private static boolean readWhole(Store store, SnapshotRef ref, ChunkVerdicts chunks, List<Problem> problems) {
    String subject = ref.toString();
    try {
      List<ObjectInfo> files = store.files(ref);
      Optional<String> expected = store.checksum(ref);
      if (files.size() != 1 || expected.isEmpty() || !DysnomiaChecksum.isWellFormed(expected.get())) {
        return false;
      }
      if (Compression.ofFileName(files.get(0).key().name()) == Compression.CHUNKED) {
        chunks.check(ref, files.get(0).key(), expected.get(), problems);
        expectedFile(store, ref, new Verdict(Verdict.Kind.OK, files, expected.get(), expected.get()), problems);
        return true;
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

  /**
   * The chunks a check has looked at, each once however many snapshots list it: a chunked
   * snapshot's index must match its checksum record, and every chunk it lists must be present
   * and, when the subset takes it, decompress to the bytes its name and index promise. Each bad
   * chunk is reported for every snapshot it breaks. (The whole stream's SHA-256 is not computed
   * again: the index is verified and each chunk is its hash.)
   */
  private static final class ChunkVerdicts {
    private final Backend backend;
    private final Predicate<String> read;
    private final Chunks.Reader reader;
    /** By chunk: null when it verified, else what is wrong with it. */
    private final Map<String, DamageException> seen = new HashMap<>();

    ChunkVerdicts(Backend backend, Predicate<String> read) {
      this.backend = backend;
      this.read = read;
      this.reader = new Chunks.Reader(backend);
    }

    void check(SnapshotRef ref, Key file, String expected, List<Problem> problems) throws IOException {
      String subject = ref.toString();
      byte[] index = Chunks.readIndex(backend, file);
      String computed = Chunks.checksumOf(file, index);
      if (!computed.equals(expected)) {
        problems.add(new Problem(Kind.MISMATCH, subject, "Checksum mismatch detected for snapshot: " + subject
            + ", we have: '" + computed + "', we expect: '" + expected + "' (its index is damaged)"));
        return;
      }
      Chunks.IndexReader entries = new Chunks.IndexReader(new ByteArrayInputStream(index), subject);
      while (true) {
        Chunks.Entry e;
        try {
          e = entries.next();
        } catch (IOException malformed) {  // the bytes are in memory: only their form can fail
          problems.add(new Problem(Kind.CORRUPT_CONTENT, subject, "snapshot " + subject + " is damaged, though its"
              + " index matches its checksum record: " + malformed.getMessage()));
          return;
        }
        if (e == null) {
          return;
        }
        long at = entries.offset() - e.length();
        DamageException bad = verdict(e);  // an I/O error reading a chunk makes the snapshot unreadable
        if (bad != null) {
          problems.add(new Problem(bad.kind(), subject, "snapshot " + subject + " is broken at byte " + at + ": "
              + bad.getMessage()));
        }
      }
    }

    private DamageException verdict(Chunks.Entry e) throws IOException {
      if (seen.containsKey(e.sha256())) {
        return seen.get(e.sha256());
      }
      DamageException bad = null;
      try {
        if (read.test(e.sha256())) {
          reader.read(e);
        } else if (backend.stat(StoreLayout.chunk(e.sha256())).isEmpty()) {
          bad = Chunks.missing(backend, e.sha256());
        }
      } catch (DamageException d) {
        bad = d;
      }
      seen.put(e.sha256(), bad);
      return bad;
    }
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
