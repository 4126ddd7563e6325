package dev.stasis.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Copies snapshots and generations from one store to another, either of them local or on S3,
 * as Disnix copies snapshots between machines: only snapshots the destination lacks are sent,
 * each component's new generations are processed oldest first, and the destination numbers its
 * generations itself, so a fresh mirror has the source's snapshot names in the source's order.
 * Which generations are new is {@link MirrorPlan}'s business.
 *
 * <p>Each snapshot is verified on its way ({@link SnapshotCopy}) and published with the
 * engine's commit protocol before its generation is linked; after each link the destination's
 * {@link MirrorRecord} says which source generation it came from, which is where the next
 * mirror goes on. A snapshot that fails stops its component there (a later generation linked
 * without it would put the history out of order); other components go on, and the result lists
 * the failures. Snapshots the destination lost are sent again too, without linking anything.
 *
 * <pre>{@code
 * Mirror mirror = Mirror.between(local, s3, Scope.all());
 * MirrorResult result = mirror.run(mirror.plan(), OptionalInt.of(3), new Mirror.Listener() {});
 * }</pre>
 */
public final class Mirror {
  /** Told what a mirror does, as it does it: for progress lines and messages. */
  public interface Listener {
    /** A snapshot of {@code bytes} starts going across. */
    default void sending(SnapshotRef snapshot, long bytes) {}

    /** {@code bytes} more went across. Called often: keep it cheap. */
    default void progress(long bytes) {}

    /** A snapshot's bytes did not verify and are read again; {@code why} says so, for stderr. */
    default void retrying(SnapshotRef snapshot, String why) {}

    /** A snapshot went across and was published. */
    default void sent(SnapshotRef snapshot, long bytes) {}

    /** The destination got a new generation. */
    default void linked(Generation generation) {}

    /** A snapshot could not be mirrored; its component stops. */
    default void failed(MirrorResult.Failure failure) {}

    /** {@code --keep} deleted this at the destination. */
    default void collected(GcPlan.Action action) {}
  }

  private final Store from;
  private final Store to;
  private final Scope scope;
  /** The destination's chunks, listed once when the first chunked snapshot goes across. */
  private final ChunkCopy.Present chunksThere;

  private Mirror(Store from, Store to, Scope scope) {
    this.from = from;
    this.to = to;
    this.scope = scope;
    this.chunksThere = new ChunkCopy.Present(to);
  }

  /** A mirror of the components in {@code scope} from {@code from} to {@code to}. */
  public static Mirror between(Store from, Store to, Scope scope) {
    return new Mirror(from, to, scope);
  }

  /** What {@link #run} would do now. */
  public MirrorPlan plan() throws IOException {
    return MirrorPlan.make(from, to, scope);
  }

  /**
   * Carries out {@code plan}, then, if every snapshot made it and {@code keep} is given, keeps
   * the newest {@code keep} generations of each component at the destination ({@code gc}).
   *
   * @throws IllegalArgumentException if {@code keep} is below 1: a mirror never leaves a
   *     component without its newest generation
   * @throws LockedException if a store lock cannot be had; nothing else stops the whole mirror
   */
  public MirrorResult run(MirrorPlan plan, OptionalInt keep, Listener listener) throws IOException {
    if (keep.isPresent() && keep.getAsInt() < 1) {
      throw new IllegalArgumentException("--keep must be at least 1 on a mirror, got " + keep.getAsInt());
    }
    Tally tally = new Tally(plan.upToDate());
    Map<SnapshotRef, String> verified = new HashMap<>();
    String origin = from.backend().location(Key.ROOT);
    List<MirrorPlan.Item> items = plan.items();
    for (int i = 0; i < items.size(); i++) {
      MirrorPlan.Item item = items.get(i);
      try {
        if (item.repair()) {
          repair(item.snapshot(), verified, tally, listener);
        } else {
          IngestResult linked = mirror(item.snapshot(), verified, tally, listener);
          record(new MirrorRecord(origin, item.source().number(), linked.generation().number(),
              item.snapshot().name()), item.snapshot().component());
        }
      } catch (IOException | StoreException e) {
        if (e instanceof LockedException locked) {
          throw locked;
        }
        int left = 0;
        // A generation linked after one that failed would be out of order; a repair links nothing.
        while (!item.repair() && i + 1 < items.size()
            && items.get(i + 1).source().component().equals(item.source().component())) {
          i++;
          left++;
        }
        MirrorResult.Failure failure = new MirrorResult.Failure(item.snapshot(), e instanceof IntegrityException,
            e.getMessage(), left);
        tally.failures.add(failure);
        listener.failed(failure);
      }
    }
    List<GcPlan.Action> collected = List.of();
    if (keep.isPresent() && tally.failures.isEmpty()) {
      collected = to.gc(scope, keep.getAsInt(), false, listener::collected).actions();
    }
    return new MirrorResult(tally.sent, tally.skipped, tally.linked, tally.bytes, tally.failures, collected);
  }

  /**
   * Makes {@code snapshot} present and verified at the destination, then its newest
   * generation: sent if missing or damaged there, else only linked. {@code verified} holds the
   * checksum records of the snapshots this run sent or verified at the destination, which an
   * A,B,A history links again without reading them again.
   *
   * @return the link: the destination's newest generation, now pointing at the snapshot
   */
  private IngestResult mirror(SnapshotRef snapshot, Map<SnapshotRef, String> verified, Tally tally, Listener listener)
      throws IOException {
    IngestResult linked;
    String checksum = verified.get(snapshot);
    if (checksum != null) {
      linked = to.linkPublished(snapshot, checksum);
    } else {
      linked = present(snapshot);
      if (linked != null) {
        tally.skipped++;
      } else {
        SnapshotCopy.Copied copied = SnapshotCopy.copy(from, to, snapshot, true, listener, chunksThere);
        linked = copied.linked();
        sent(snapshot, copied, tally, listener);
      }
      // the destination's own record: a copy deduplicated against one already there may differ
      to.checksum(snapshot).ifPresent(c -> verified.put(snapshot, c));
    }
    if (linked.newGeneration()) {
      tally.linked++;
      listener.linked(linked.generation());
    }
    return linked;
  }

  /**
   * Writes the destination's record of where it stands. If that fails, the link stays and the
   * component stops: the next mirror walks on from the record before, in order.
   */
  private void record(MirrorRecord record, ComponentRef component) {
    try {
      record.write(to, component);
    } catch (IOException | StoreException e) {
      throw new StoreException(e, "generation %d of %s at the destination is linked, but which source generation"
          + " it came from could not be recorded (%s); the next mirror goes on from the record before",
          record.generation(), component, e.getMessage());
    }
  }

  /**
   * Puts back a snapshot the destination's generations point at but that is missing there,
   * linking nothing; if it is back and verifies by now, it is only counted as skipped.
   */
  private void repair(SnapshotRef snapshot, Map<SnapshotRef, String> verified, Tally tally, Listener listener)
      throws IOException {
    if (to.exists(snapshot) && to.verify(snapshot).kind() == Verdict.Kind.OK) {
      tally.skipped++;
    } else {
      sent(snapshot, SnapshotCopy.copy(from, to, snapshot, false, listener, chunksThere), tally, listener);
    }
    to.checksum(snapshot).ifPresent(c -> verified.put(snapshot, c));
  }

  private static void sent(SnapshotRef snapshot, SnapshotCopy.Copied copied, Tally tally, Listener listener) {
    if (copied.deduplicated()) {
      tally.skipped++;  // it appeared at the destination while we sent it
    } else {
      tally.sent++;
      tally.bytes += copied.bytes();
      listener.sent(snapshot, copied.bytes());
    }
  }

  /**
   * Links {@code snapshot} if the destination already has it and it verifies there; null when it
   * must be sent: absent, or damaged (publishing the copy replaces it).
   */
  private IngestResult present(SnapshotRef snapshot) throws IOException {
    if (!to.exists(snapshot)) {
      return null;
    }
    try {
      return to.linkExisting(snapshot, -1, -1);
    } catch (IntegrityException damaged) {
      return null;
    }
  }

  /** Running counts. */
  private static final class Tally {
    int sent;
    int skipped;
    int linked;
    long bytes;
    final List<MirrorResult.Failure> failures = new ArrayList<>();

    Tally(int skipped) {
      this.skipped = skipped;
    }
  }
}
