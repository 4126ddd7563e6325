package dev.stasis.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a mirror brings from one store to another, per component: first the snapshots the
 * destination's generations point at but that are missing there (sent again, nothing linked),
 * then the source generations that are <em>new</em> to the destination, oldest first, each with
 * whether its snapshot must be sent and which generation number the destination will give it.
 *
 * <p>Which generations are new follows generations, not snapshot names ({@link MirrorHistory}):
 * a fresh destination gets every generation, in order (an A,B,A history stays A,B,A); a
 * destination mirrored before gets what the source made after the generation its last link came
 * from (so A, then B and A again, brings B and A); a second mirror gets nothing. When the
 * destination's history does not line up with the source's at all (the two diverged), every
 * source generation is new, as for a fresh destination, and the component is listed in
 * {@link #diverged()}.
 *
 * <p>The plan is what {@code --dry-run} prints; {@link Mirror#run} checks the destination again
 * as it goes, so a plan that went stale does no harm.
 */
public final class MirrorPlan {
  /**
   * One snapshot to bring across, for one source generation.
   *
   * @param source the source generation
   * @param send whether its snapshot is missing at the destination (and not sent earlier in the plan)
   * @param bytes the snapshot's stored size at the source (what sending it moves)
   * @param linkAs the generation number the destination will give it, or 0 when the
   *     destination's newest will already point at its snapshot, or for a repair
   * @param repairs for a snapshot the destination lost: the newest of its generations pointing
   *     at it (nothing is linked, the snapshot is put back); 0 for a new generation
   */
  public record Item(Generation source, boolean send, long bytes, long linkAs, long repairs) {
    public SnapshotRef snapshot() {
      return source.snapshotRef();
    }

    /** Whether this puts back a snapshot the destination lost rather than bringing a new generation. */
    public boolean repair() {
      return repairs > 0;
    }
  }

  private final Scope scope;
  private final List<Item> items;
  private final int upToDate;
  private final List<ComponentRef> diverged;

  private MirrorPlan(Scope scope, List<Item> items, int upToDate, List<ComponentRef> diverged) {
    this.scope = scope;
    this.items = List.copyOf(items);
    this.upToDate = upToDate;
    this.diverged = List.copyOf(diverged);
  }

  /** The components the plan covers. */
  public Scope scope() {
    return scope;
  }

  /** By component: repairs, then the new source generations, oldest first. */
  public List<Item> items() {
    return items;
  }

  /**
   * Snapshots of generations the destination is up to date with, which it has (committed) and
   * which no item is about: not looked at again. What its retention collected is not counted.
   */
  public int upToDate() {
    return upToDate;
  }

  /**
   * Snapshots not to be sent because the destination has them: {@link #upToDate()} ones, and
   * those of new generations. A snapshot missing at the destination is never among them.
   */
  public int skipped() {
    Set<SnapshotRef> sent = new HashSet<>();
    Set<SnapshotRef> kept = new HashSet<>();
    for (Item i : items) {
      (i.send() ? sent : kept).add(i.snapshot());
    }
    kept.removeAll(sent);
    return upToDate + kept.size();
  }

  /** Components whose history at the destination does not line up with the source's. */
  public List<ComponentRef> diverged() {
    return diverged;
  }

  /** How many snapshots are to be sent. */
  public int toSend() {
    return (int) items.stream().filter(Item::send).count();
  }

  /** How many bytes are to be sent. */
  public long bytesToSend() {
    return items.stream().filter(Item::send).mapToLong(Item::bytes).sum();
  }

  static MirrorPlan make(Store from, Store to, Scope scope) throws IOException {
    Map<ComponentRef, List<Generation>> source = byComponent(from.generations(scope));
    Map<ComponentRef, List<Generation>> destination = byComponent(to.generations(scope));
    Set<SnapshotRef> present = committed(to, scope);
    String origin = from.backend().location(Key.ROOT);
    List<Item> items = new ArrayList<>();
    List<ComponentRef> diverged = new ArrayList<>();
    Set<SnapshotRef> upToDate = new HashSet<>();
    for (Map.Entry<ComponentRef, List<Generation>> e : source.entrySet()) {
      List<Generation> gens = e.getValue();
      List<Generation> there = destination.getOrDefault(e.getKey(), List.of());
      Optional<MirrorRecord> record = MirrorRecord.read(to, e.getKey()).filter(r -> r.source().equals(origin));
      OptionalInt cut = MirrorHistory.upToDate(gens, there, record);
      if (cut.isEmpty()) {
        diverged.add(e.getKey());
      }
      for (Generation g : gens.subList(0, cut.orElse(0))) {
        if (present.contains(g.snapshotRef())) {
          upToDate.add(g.snapshotRef());
        }
      }
      Set<SnapshotRef> planned = new HashSet<>();
      repairs(from, gens, there, present, planned, items);
      Optional<Generation> head = there.isEmpty() ? Optional.empty() : Optional.of(there.get(there.size() - 1));
      plan(from, gens.subList(cut.orElse(0), gens.size()), head, present, planned, items);
    }
    items.forEach(i -> upToDate.remove(i.snapshot()));
    return new MirrorPlan(scope, items, upToDate.size(), diverged);
  }

  /**
   * Snapshots the destination's generations point at but lost (deleted, or left without their
   * checksum), which the source has: sent again so the destination is whole, whether or not a
   * new generation points at them. A snapshot it lacks is never taken for one it has.
   */
  private static void repairs(Store from, List<Generation> gens, List<Generation> there, Set<SnapshotRef> present,
      Set<SnapshotRef> planned, List<Item> items) throws IOException {
    Map<SnapshotName, Generation> sourceOf = new HashMap<>();
    gens.forEach(g -> sourceOf.put(g.snapshot(), g));
    Map<SnapshotRef, Long> lost = new LinkedHashMap<>();
    for (Generation g : there) {
      if (!present.contains(g.snapshotRef()) && sourceOf.containsKey(g.snapshot())) {
        lost.put(g.snapshotRef(), g.number());
      }
    }
    for (Map.Entry<SnapshotRef, Long> e : lost.entrySet()) {
      planned.add(e.getKey());
      items.add(new Item(sourceOf.get(e.getKey().name()), true, size(from, e.getKey()), 0, e.getValue()));
    }
  }

  /** One component's new generations: send what the destination lacks, link in order. */
  private static void plan(Store from, List<Generation> fresh, Optional<Generation> head, Set<SnapshotRef> present,
      Set<SnapshotRef> planned, List<Item> items) throws IOException {
    SnapshotName current = head.map(Generation::snapshot).orElse(null);
    long number = head.map(Generation::number).orElse(0L);
    for (Generation g : fresh) {
      SnapshotRef ref = g.snapshotRef();
      boolean send = !present.contains(ref) && planned.add(ref);
      boolean link = !g.snapshot().equals(current);
      current = g.snapshot();
      items.add(new Item(g, send, send ? size(from, ref) : 0, link ? ++number : 0, 0));
    }
  }

  private static long size(Store from, SnapshotRef ref) throws IOException {
    return from.files(ref).stream().mapToLong(ObjectInfo::size).sum();
  }

  private static Map<ComponentRef, List<Generation>> byComponent(List<Generation> generations) {
    Map<ComponentRef, List<Generation>> map = new TreeMap<>();
    for (Generation g : generations) {
      map.computeIfAbsent(g.component(), c -> new ArrayList<>()).add(g);
    }
    return map;
  }

  /**
   * The snapshots in {@code scope} committed at {@code store} (files and a checksum record), from
   * two listings rather than a look-up per snapshot: on S3, requests count.
   */
  private static Set<SnapshotRef> committed(Store store, Scope scope) throws IOException {
    Set<SnapshotRef> files = list(store, StoreLayout.SNAPSHOTS, scope);
    files.retainAll(list(store, StoreLayout.CHECKSUMS, scope));
    return files;
  }

  private static Set<SnapshotRef> list(Store store, Key area, Scope scope) throws IOException {
    Set<SnapshotRef> found = new HashSet<>();
    store.backend().list(scope.container().map(area::resolve).orElse(area), o -> {
      SnapshotRef ref = StoreLayout.snapshotOf(area, o.key());
      if (ref != null && scope.matches(ref.component())) {
        found.add(ref);
      }
    });
    return found;
  }
}
