package dev.stasis.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a mirror brings from one store to another, per component, oldest generation first:
 * the source generations that are <em>new</em> to the destination, for each whether its
 * snapshot must be sent, and which generation number the destination will give it.
 *
 * <p>A source generation is new when it comes after the last source generation pointing at
 * the snapshot the destination's newest generation points at. So a fresh destination gets
 * every generation, in order (an A,B,A history stays A,B,A); a destination mirrored before gets
 * only what the source made since; a second mirror gets nothing. When the destination's newest
 * snapshot is nowhere in the source's history (the two diverged, or the source was collected
 * down past it), every source generation is new, as for a fresh destination, and the component
 * is listed in {@link #diverged()}.
 *
 * <p>The plan is what {@code --dry-run} prints; {@link Mirror#run} checks the destination again
 * as it goes, so a plan that went stale does no harm.
 */
public final class MirrorPlan {
  /**
   * One new source generation.
   *
   * @param source the source generation
   * @param send whether its snapshot is missing at the destination (and not sent earlier in the plan)
   * @param bytes the snapshot's stored size at the source (what sending it moves)
   * @param linkAs the generation number the destination will give it, or 0 when the
   *     destination's newest will already point at its snapshot
   */
  public record Item(Generation source, boolean send, long bytes, long linkAs) {
    public SnapshotRef snapshot() {
      return source.snapshotRef();
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

  /** The new source generations, by component, oldest first. */
  public List<Item> items() {
    return items;
  }

  /**
   * Snapshots of generations the destination is up to date with, which no new generation
   * points at: not looked at again.
   */
  public int upToDate() {
    return upToDate;
  }

  /** Snapshots not to be sent: {@link #upToDate()} ones, and those of new generations the destination has. */
  public int skipped() {
    Set<SnapshotRef> sent = new HashSet<>();
    Set<SnapshotRef> kept = new HashSet<>();
    for (Item i : items) {
      (i.send() ? sent : kept).add(i.snapshot());
    }
    kept.removeAll(sent);
    return upToDate + kept.size();
  }

  /** Components whose newest snapshot at the destination the source's history does not hold. */
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
    Map<ComponentRef, List<Generation>> source = new TreeMap<>();
    for (Generation g : from.generations(scope)) {
      source.computeIfAbsent(g.component(), c -> new ArrayList<>()).add(g);
    }
    Map<ComponentRef, Generation> newest = new TreeMap<>();
    for (Generation g : to.latest(scope)) {
      newest.put(g.component(), g);
    }
    List<Item> items = new ArrayList<>();
    List<ComponentRef> diverged = new ArrayList<>();
    Set<SnapshotRef> upToDate = new HashSet<>();
    for (Map.Entry<ComponentRef, List<Generation>> e : source.entrySet()) {
      List<Generation> gens = e.getValue();
      Optional<Generation> head = Optional.ofNullable(newest.get(e.getKey()));
      int cut = head.map(h -> lastPointingAt(gens, h.snapshot())).orElse(0);
      if (head.isPresent() && cut == 0) {
        diverged.add(e.getKey());
      }
      for (Generation g : gens.subList(0, cut)) {
        upToDate.add(g.snapshotRef());
      }
      plan(from, to, gens.subList(cut, gens.size()), head, items);
    }
    items.forEach(i -> upToDate.remove(i.snapshot()));
    return new MirrorPlan(scope, items, upToDate.size(), diverged);
  }

  /** One component's new generations: send what the destination lacks, link in order. */
  private static void plan(Store from, Store to, List<Generation> fresh, Optional<Generation> head,
      List<Item> items) throws IOException {
    Set<SnapshotRef> planned = new HashSet<>();
    SnapshotName current = head.map(Generation::snapshot).orElse(null);
    long number = head.map(Generation::number).orElse(0L);
    for (Generation g : fresh) {
      SnapshotRef ref = g.snapshotRef();
      boolean send = !planned.contains(ref) && !to.exists(ref);
      if (send) {
        planned.add(ref);
      }
      long bytes = send ? from.files(ref).stream().mapToLong(ObjectInfo::size).sum() : 0;
      boolean link = !g.snapshot().equals(current);
      current = g.snapshot();
      items.add(new Item(g, send, bytes, link ? ++number : 0));
    }
  }

  /** One past the index of the last generation pointing at {@code name}; 0 when none does. */
  private static int lastPointingAt(List<Generation> gens, SnapshotName name) {
    for (int i = gens.size() - 1; i >= 0; i--) {
      if (gens.get(i).snapshot().equals(name)) {
        return i + 1;
      }
    }
    return 0;
  }
}
