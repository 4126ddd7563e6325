package dev.stasis.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What garbage collection deletes, and why: for each component, the generations older than
 * the newest {@code keep}, then every snapshot (with its checksum and metadata) that no kept
 * generation points at, including leftovers such as checksums without a snapshot.
 *
 * <p>A plan keeps only generations it can verify: one that links outside its component's
 * snapshots ({@link StrayLink}) or names a snapshot that is not there would be kept in place
 * of the newest intact snapshot, which would then be deleted. So planning refuses (an
 * {@link IntegrityException} naming them) when any generation it would keep is such; older
 * ones are only deleted, which loses nothing.
 */
public final class GcPlan {
  /** One deletion. */
  public record Action(Kind kind, String path, String reason) {
    /** What the real {@code dysnomia-snapshots --gc} prints on stderr for such a deletion. */
    public String dysnomiaLine() {
      return switch (kind) {
        case GENERATION -> "Removing old generation symlink: " + path;
        case SNAPSHOT -> "Removing old snapshot: " + path;
        case CHECKSUM -> "Removing leftover checksum: " + path;
        case META -> "Removing leftover metadata: " + path;
        case EMPTY_DIRECTORY -> "Removing empty snapshot directory: " + path;
        case CHUNK -> "Removing unreferenced chunk: " + path;
      };
    }
  }

  /** What an action deletes. */
  public enum Kind {
    GENERATION, SNAPSHOT, CHECKSUM, META,
    /** A snapshot directory without files, no generation pointing at it: what a killed gc leaves. */
    EMPTY_DIRECTORY,
    /** A chunk no remaining chunked snapshot lists. */
    CHUNK
  }

  /** Told of each deletion once it is applied. */
  public interface Listener {
    void deleted(Action action);
  }

  /** One deletion: a generation link, or a snapshot's objects (its files first, then checksum, then metadata). */
  private record Step(Action action, Generation generation, List<Key> keys) {}

  private final List<Step> steps = new ArrayList<>();
  /** Why no chunk is deleted though some may be unreferenced; null when the sweep was planned. */
  private String chunksKept;

  private GcPlan() {}

  /**
   * Why this plan deletes no chunk: an index of a snapshot it keeps could not be read, so which
   * chunks are unreferenced is not known. Empty when chunks were swept as planned.
   */
  public Optional<String> chunksKept() {
    return Optional.ofNullable(chunksKept);
  }

  /** The deletions, in the order they are applied. */
  public List<Action> actions() {
    return steps.stream().map(Step::action).toList();
  }

  static GcPlan make(Store store, Scope scope, int keep) throws IOException {
    if (keep < 0) {
      throw new IllegalArgumentException("--keep must be 0 or more, got " + keep);
    }
    Backend backend = store.backend();
    Map<ComponentRef, List<Generation>> byComponent = new TreeMap<>();
    for (Generation g : store.generations(scope)) {
      byComponent.computeIfAbsent(g.component(), c -> new ArrayList<>()).add(g);
    }
    Map<SnapshotRef, List<ObjectInfo>> files = new TreeMap<>(GcPlan::compare);
    Set<SnapshotRef> checksums = new TreeSet<>(GcPlan::compare);
    Set<SnapshotRef> metas = new TreeSet<>(GcPlan::compare);
    list(backend, StoreLayout.SNAPSHOTS, scope, (ref, o) -> files.computeIfAbsent(ref, r -> new ArrayList<>()).add(o));
    list(backend, StoreLayout.CHECKSUMS, scope, (ref, o) -> checksums.add(ref));
    list(backend, StoreLayout.META, scope, (ref, o) -> metas.add(ref));
    Set<SnapshotRef> empty = new TreeSet<>(GcPlan::compare);
    emptySnapshotDirectories(backend, scope, empty::add);
    refuseUnverifiableKept(backend, scope, keep, byComponent, files.keySet());

    GcPlan plan = new GcPlan();
    Set<SnapshotRef> kept = new HashSet<>();
    for (List<Generation> gens : byComponent.values()) {
      int drop = Math.max(0, gens.size() - keep);
      for (Generation g : gens.subList(0, drop)) {
        plan.steps.add(new Step(new Action(Kind.GENERATION, g.component() + "/" + g.number(),
            "older than the newest " + keep), g, List.of()));
      }
      for (Generation g : gens.subList(drop, gens.size())) {
        kept.add(g.snapshotRef());
      }
    }
    files.forEach((ref, objects) -> {
      if (!kept.contains(ref)) {
        List<Key> keys = new ArrayList<>();
        objects.forEach(o -> keys.add(o.key()));
        keys.add(StoreLayout.checksum(ref));
        keys.add(StoreLayout.meta(ref));
        plan.add(Kind.SNAPSHOT, ref, "no kept generation points at it", keys);
      }
    });
    for (SnapshotRef ref : checksums) {
      if (!kept.contains(ref) && !files.containsKey(ref)) {
        // its metadata is a leftover too, and no META action covers it
        plan.add(Kind.CHECKSUM, ref, "its snapshot is gone", List.of(StoreLayout.checksum(ref), StoreLayout.meta(ref)));
      }
    }
    for (SnapshotRef ref : metas) {
      if (!kept.contains(ref) && !files.containsKey(ref) && !checksums.contains(ref)) {
        plan.add(Kind.META, ref, "its snapshot is gone", List.of(StoreLayout.meta(ref)));
      }
    }
    // Under the exclusive lock no commit is in flight, and a commit never shows an empty
    // directory anyway (it renames one in with its file): so these are debris, finished here.
    for (SnapshotRef ref : empty) {
      if (!kept.contains(ref)) {
        plan.add(Kind.EMPTY_DIRECTORY, ref, "holds no file (left by an interrupted gc)",
            List.of(StoreLayout.snapshotDir(ref)));
      }
    }
    Set<SnapshotRef> deleted = new HashSet<>();
    plan.steps.stream().filter(st -> st.action().kind() == Kind.SNAPSHOT)
        .forEach(st -> deleted.add(StoreLayout.snapshotOf(StoreLayout.SNAPSHOTS, st.keys().get(0))));
    plan.sweepChunks(store, deleted);
    return plan;
  }

  /**
   * Plans the deletion of every chunk that no chunked snapshot of the whole store lists once the
   * planned snapshots are gone (mark, then sweep). Every chunked ingest holds the shared store
   * lock from its first chunk to its commit, and gc the exclusive one, so a chunk an ingest found
   * present cannot be swept before its index is published. When an index cannot be read, or does
   * not match its checksum record, no chunk is deleted: which ones it lists is not known (a
   * damaged index may name other chunks than its snapshot's). An index without a record (no
   * commit leaves one) is marked as it reads: keeping more is safe.
   */
  private void sweepChunks(Store store, Set<SnapshotRef> deleted) throws IOException {
    Backend backend = store.backend();
    List<ObjectInfo> chunks = new ArrayList<>();
    backend.list(StoreLayout.CHUNKS, chunks::add);
    if (chunks.isEmpty()) {
      return;  // a store without chunked snapshots: no second listing of every snapshot
    }
    List<ObjectInfo> indexes = new ArrayList<>();
    backend.list(StoreLayout.SNAPSHOTS, o -> {
      SnapshotRef ref = StoreLayout.snapshotOf(StoreLayout.SNAPSHOTS, o.key());
      if (ref != null && !deleted.contains(ref) && Compression.ofFileName(o.key().name()) == Compression.CHUNKED) {
        indexes.add(o);
      }
    });
    Set<String> marked = new HashSet<>();
    for (ObjectInfo index : indexes) {
      SnapshotRef ref = StoreLayout.snapshotOf(StoreLayout.SNAPSHOTS, index.key());
      try {
        byte[] bytes = Chunks.readIndex(backend, index.key());
        Optional<String> record = store.checksum(ref);
        if (record.isPresent() && !record.get().equals(Chunks.checksumOf(index.key(), bytes))) {
          throw new IOException("it does not match its checksum record");
        }
        Chunks.IndexReader entries = new Chunks.IndexReader(new ByteArrayInputStream(bytes), ref.toString());
        for (Chunks.Entry e; (e = entries.next()) != null; ) {
          marked.add(e.sha256());
        }
      } catch (NotFoundException gone) {
        // deleted since it was listed: under the exclusive lock, only by someone not taking it
      } catch (IOException e) {
        chunksKept = "the index of " + ref + " cannot be trusted (" + StoreException.reason(e) + "); no chunk was"
            + " deleted (stasis check tells what is wrong with it)";
        return;
      }
    }
    for (ObjectInfo o : chunks) {
      String name = o.key().name();
      if (!marked.contains(name) && SnapshotId.isHex(name)) {
        steps.add(new Step(new Action(Kind.CHUNK, name, "no snapshot lists it"), null, List.of(o.key())));
      }
    }
  }

  /** The snapshot directories in {@code scope} that hold no file, on a backend that has directories. */
  static void emptySnapshotDirectories(Backend backend, Scope scope, Consumer<SnapshotRef> sink) throws IOException {
    if (backend instanceof SupportsEmptyDirectories dirs) {
      Key base = scope.container().map(StoreLayout.SNAPSHOTS::resolve).orElse(StoreLayout.SNAPSHOTS);
      dirs.emptyDirectories(base, scope.container().isPresent() ? 2 : 3, key -> {
        SnapshotRef ref = StoreLayout.snapshotOf(StoreLayout.SNAPSHOTS, key);
        if (ref != null && scope.matches(ref.component())) {
          sink.accept(ref);
        }
      });
    }
  }

  /**
   * Throws when a generation among the newest {@code keep} of a component (stray entries
   * counted by their numbers) is a stray, or names a snapshot without files.
   */
  private static void refuseUnverifiableKept(Backend backend, Scope scope, int keep,
      Map<ComponentRef, List<Generation>> byComponent, Set<SnapshotRef> present) throws IOException {
    Map<ComponentRef, TreeMap<Long, String>> entries = new TreeMap<>();
    for (List<Generation> gens : byComponent.values()) {
      for (Generation g : gens) {
        String problem = present.contains(g.snapshotRef()) ? null : g.component() + "/" + g.number() + " -> ../../../"
            + StoreLayout.snapshotDir(g.snapshotRef()) + " (no such snapshot)";
        entries.computeIfAbsent(g.component(), c -> new TreeMap<>()).put(g.number(), problem);
      }
    }
    backend.generations().strays(scope, s -> entries.computeIfAbsent(s.component(), c -> new TreeMap<>())
        .put(s.number(), s.subject() + (s.target() == null ? " (not a symbolic link)" : " -> " + s.target()
            + " (outside " + StoreLayout.components(StoreLayout.SNAPSHOTS, s.component()) + "/)")));
    List<String> unverifiable = new ArrayList<>();
    for (TreeMap<Long, String> numbers : entries.values()) {
      numbers.descendingMap().values().stream().limit(keep).filter(p -> p != null).forEach(unverifiable::add);
    }
    if (!unverifiable.isEmpty()) {
      throw new IntegrityException("gc cannot verify generation(s) it would keep, and would delete the newest"
          + " intact snapshot in their place: %s. Nothing was deleted. Repair or remove these links (stasis check"
          + " lists them), then run gc again.", String.join("; ", unverifiable));
    }
  }

  private void add(Kind kind, SnapshotRef ref, String reason, List<Key> keys) {
    steps.add(new Step(new Action(kind, ref.toString(), reason), null, keys));
  }

  /**
   * Deletes the generation links, durably, then the snapshots and leftovers. A crash between
   * or during the two phases leaves only snapshots no generation points at, which the next
   * collection takes; each phase syncs its directories once, not once per deletion.
   */
  void apply(Backend backend, Listener listener) throws IOException {
    List<Step> links = steps.stream().filter(s -> s.generation() != null).toList();
    List<Step> empty = steps.stream().filter(s -> s.action().kind() == Kind.EMPTY_DIRECTORY).toList();
    List<Step> chunks = steps.stream().filter(s -> s.action().kind() == Kind.CHUNK).toList();
    List<Step> objects = steps.stream().filter(s -> s.generation() == null
        && s.action().kind() != Kind.EMPTY_DIRECTORY && s.action().kind() != Kind.CHUNK).toList();
    backend.generations().deleteAll(links.stream().map(Step::generation).toList());
    links.forEach(s -> listener.deleted(s.action()));
    backend.deleteAll(objects.stream().flatMap(s -> s.keys().stream()).toList());
    objects.forEach(s -> listener.deleted(s.action()));
    // after the snapshots: a crash before leaves chunks no snapshot lists, never an index without its chunks
    backend.deleteAll(chunks.stream().flatMap(s -> s.keys().stream()).toList());
    chunks.forEach(s -> listener.deleted(s.action()));
    if (!empty.isEmpty() && backend instanceof SupportsEmptyDirectories dirs) {
      dirs.deleteEmptyDirectories(empty.stream().flatMap(s -> s.keys().stream()).toList());
      empty.forEach(s -> listener.deleted(s.action()));
    }
  }

  /** Lists {@code area} (one container's part of it when the scope names one) by snapshot. */
  private static void list(Backend backend, Key area, Scope scope, BiConsumer<SnapshotRef, ObjectInfo> sink)
      throws IOException {
    Key base = scope.container().map(area::resolve).orElse(area);
    backend.list(base, o -> {
      SnapshotRef ref = StoreLayout.snapshotOf(area, o.key());
      if (ref != null && scope.matches(ref.component())) {
        sink.accept(ref, o);
      }
    });
  }

  private static int compare(SnapshotRef a, SnapshotRef b) {
    int c = a.component().compareTo(b.component());
    return c != 0 ? c : a.name().compareTo(b.name());
  }
}
