package dev.stasis.deploy;

import dev.stasis.modules.Deployment;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Moves the state of the services whose place changed between two deployments (same service
 * name, another target, container or component), as Disnix's migrate does, with the old
 * service locked for the whole window:
 *
 * <ol>
 *   <li>lock it on the old target (the module's lock: a PostgreSQL database takes no more writes),</li>
 *   <li>snapshot it there,</li>
 *   <li>for a PostgreSQL database, first give the new server the roles it lacks of the old
 *       server's (their snapshot sent the same way; once per pair of servers), so the database's
 *       owners exist where it is restored,</li>
 *   <li>send the snapshot to the coordinator, then to the new target (each verified on arrival;
 *       not sent where it is),</li>
 *   <li>restore it on the new target (verified before it is swapped in),</li>
 *   <li>unlock the old service, whatever happened;</li>
 *   <li>with {@code --delete-state}, and only if every service got this far: deactivate and
 *       collect the old state (the module's collect-garbage).</li>
 * </ol>
 *
 * Breadth-first (the default) does each step for every service before the next step, so every
 * moved service is locked for the whole migration; depth-first does all steps of one service
 * before the next, so one service's snapshot at a time is in flight. A service that fails stops
 * there; the others go on; nothing is deleted. Each restore completed is recorded
 * ({@link Journal}): a rerun goes on with what is left and does not restore again what it
 * restored (writes made there since would be lost).
 */
final class Migration {
  private static final int PIPE = 4 << 20;

  private final Manifest old;
  private final Manifest now;
  private final Machine coordinator;
  private final Targets targets;
  private final Journal journal;
  private final Consumer<String> say;
  /** The servers whose roles went across in this run, by old and new target and container; a failure kept. */
  private final java.util.Map<String, Exception> rolesMoved = new java.util.HashMap<>();

  Migration(Manifest old, Manifest now, Machine coordinator, Targets targets, Journal journal,
      Consumer<String> say) {
    this.old = old;
    this.now = now;
    this.coordinator = coordinator;
    this.targets = targets;
    this.journal = journal;
    this.say = say;
  }

  /** One service's move. */
  private final class Move {
    final Service from;
    final Service to;
    final ServiceState fromState;
    final ServiceState toState;
    Machine source;
    Machine destination;
    boolean locked;
    SnapshotRef snapshot;
    /** A restore on the new target fed while the snapshot was taken; committed in the restore step. */
    Alongside alongside;
    boolean restored;
    String step = "";
    Exception failure;

    Move(Service from, Service to) {
      this.from = from;
      this.to = to;
      this.fromState = ServiceState.of(old, from);
      this.toState = ServiceState.of(now, to);
    }

    String route() {
      return from.target() + " -> " + to.target();
    }
  }

  @FunctionalInterface
  private interface Step {
    void run(Move m) throws IOException;
  }

  List<Outcome> run(boolean deleteState, boolean depthFirst, boolean dryRun) throws IOException {
    List<Move> moves = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    for (Service to : now.services().values()) {
      Service from = old.services().get(to.name());
      if (from == null || from.sameMapping(to)) {
        continue;
      }
      Move m = new Move(from, to);
      Optional<Journal.Migrated> done = journal.migrated(from, to);
      if (done.isPresent() && (done.get().stateDeleted() || !deleteState)) {
        outcomes.add(Outcome.done(to.name(), "migrate", "unchanged", "already migrated " + m.route() + " with "
            + done.get().snapshot(), done.get().snapshot()));
        continue;
      }
      if (done.isPresent()) {
        m.snapshot = done.get().snapshot();
        m.restored = true;
      }
      moves.add(m);
    }
    if (dryRun) {
      for (Move m : moves) {
        outcomes.add(Outcome.done(m.to.name(), "migrate", "planned", m.restored ? "restored already; would delete"
            + " its old state on " + m.from.target() : "would lock it on " + m.from.target() + ", snapshot it, send it"
            + " to the coordinator and to " + m.to.target() + ", restore it there, unlock it" + (deleteState
            ? " and delete its old state" : ""), m.snapshot));
      }
      return outcomes;
    }
    List<Step> steps = List.of(this::lock, this::roles, this::snapshot, this::send, this::restore);
    try {
      if (depthFirst) {
        for (Move m : moves) {
          for (Step step : steps) {
            attempt(m, step);
          }
          unlock(m);
        }
      } else {
        for (Step step : steps) {
          for (Move m : moves) {
            attempt(m, step);
          }
        }
      }
    } finally {
      for (Move m : moves) {
        discard(m);
        unlock(m);
      }
    }
    boolean allRestored = moves.stream().allMatch(m -> m.failure == null);
    for (Move m : moves) {
      if (m.failure == null && deleteState && allRestored) {
        attempt(m, this::deleteOldState);
      }
      outcomes.add(outcome(m, deleteState, allRestored));
    }
    return outcomes;
  }

  private void attempt(Move m, Step step) {
    if (m.failure != null) {
      return;
    }
    try {
      step.run(m);
    } catch (IOException | RuntimeException e) {
      m.failure = e;
    }
  }

  private void lock(Move m) throws IOException {
    if (m.restored) {
      return;
    }
    m.step = "lock on " + m.from.target();
    m.source = targets.connect(old.target(m.from));
    say.accept("[target " + m.from.target() + "] locking " + m.from);
    m.source.operate(m.fromState, "lock");
    m.locked = true;
  }

  private void snapshot(Move m) throws IOException {
    if (m.restored) {
      return;
    }
    m.step = "connect to " + m.to.target();
    m.destination = targets.connect(now.target(m.to));
    m.step = "snapshot on " + m.from.target();
    say.accept("[target " + m.from.target() + "] snapshotting " + m.from);
    if (m.source instanceof Agent source && m.destination instanceof Agent destination) {
      m.snapshot = alongside(m, source, destination);
    } else {
      m.snapshot = m.source.snapshot(m.fromState).snapshot();
    }
  }

  /**
   * Snapshots on the old target while the new one restores the same bytes beside its live state
   * (both targets in this process), so the lock window is the longer of the two, not their sum;
   * the restore goes on (an index built at its end) while the snapshot is sent.
   */
  private SnapshotRef alongside(Move m, Agent source, Agent destination) throws IOException {
    Pipe pipe = new Pipe(PIPE);
    m.alongside = new Alongside(m, destination, pipe.source());
    OutputStream tee = pipe.sink();
    return source.snapshot(m.fromState, tee).snapshot();
  }

  /** A restore on the new target fed by the snapshot's bytes as the old target takes it. */
  private final class Alongside {
    private final Thread restorer;
    private Deployment.Prepared prepared;

    Alongside(Move m, Agent destination, InputStream in) {
      restorer = new Thread(() -> {
        try (in) {
          prepared = destination.prepare(m.toState, in);
        } catch (IOException | RuntimeException e) {
          say.accept("[target " + m.to.target() + "] restoring alongside the snapshot failed (" + e.getMessage()
              + "); restoring from the snapshot instead");
        }
      }, "restore " + m.to);
      restorer.start();
    }

    /**
     * The prepared restore, once done, if what it read hashes to {@code snapshot}'s id; else
     * (it failed, or the snapshot is named otherwise, as an xz form is) none, and the caller
     * restores from the store.
     */
    Deployment.Prepared finish(SnapshotRef snapshot) throws IOException {
      join();
      Deployment.Prepared p = prepared;
      prepared = null;
      if (p != null && !p.sha256().equals(snapshot.name().value())) {
        p.close();
        return null;
      }
      return p;
    }

    /** Drops what was prepared (its move failed). */
    void discard() throws IOException {
      join();
      if (prepared != null) {
        prepared.close();
        prepared = null;
      }
    }

    private void join() throws IOException {
      try {
        restorer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while restoring");
      }
    }
  }

  /** Gives the new PostgreSQL server the roles it lacks of the old one's, once per pair of servers. */
  private void roles(Move m) throws IOException {
    if (m.restored || !m.toState.serverGlobals().holdsServerGlobals()) {
      return;
    }
    String pair = m.from.target() + "/" + m.from.container() + " -> " + m.to.target() + "/" + m.to.container();
    if (!rolesMoved.containsKey(pair)) {
      m.step = "move the roles of " + pair;
      ServiceState oldRoles = m.fromState.serverGlobals();
      ServiceState newRoles = m.toState.serverGlobals();
      try {
        say.accept("[target " + m.from.target() + "] snapshotting the roles of its " + m.from.container());
        SnapshotRef roles = m.source.snapshot(oldRoles).snapshot();
        Transfer.copy(m.source, coordinator, roles);
        Machine destination = targets.connect(now.target(m.to));
        Transfer.copy(coordinator, destination, roles);
        say.accept("[target " + m.to.target() + "] creating the roles its " + m.to.container() + " lacks");
        destination.restore(newRoles, roles);
        rolesMoved.put(pair, null);
      } catch (IOException | RuntimeException e) {
        rolesMoved.put(pair, e);
        throw e;
      }
    } else if (rolesMoved.get(pair) != null) {
      m.step = "move the roles of " + pair;
      throw new StoreException("the roles could not be moved: %s", rolesMoved.get(pair).getMessage());
    }
  }

  private void send(Move m) throws IOException {
    if (m.restored) {
      return;
    }
    m.step = "send to the coordinator";
    say.accept("[coordinator] receiving " + m.snapshot + " from " + m.from.target());
    Transfer.copy(m.source, coordinator, m.snapshot);
    m.step = "send to " + m.to.target();
    say.accept("[target " + m.to.target() + "] receiving " + m.snapshot);
    Transfer.copy(coordinator, m.destination, m.snapshot);
  }

  private void restore(Move m) throws IOException {
    if (m.restored) {
      return;
    }
    m.step = "restore on " + m.to.target();
    say.accept("[target " + m.to.target() + "] restoring " + m.to + " from " + m.snapshot);
    Deployment.Prepared prepared = m.alongside == null ? null : m.alongside.finish(m.snapshot);
    m.alongside = null;
    if (prepared != null) {
      try (prepared) {
        prepared.restore().commit();
      }
    } else {
      m.destination.restore(m.toState, m.snapshot);
    }
    m.restored = true;
    journal.record(new Journal.Migrated(m.from, m.to, m.snapshot, false));
  }

  /** Drops a restore prepared alongside a snapshot that was not committed (its move failed later). */
  private void discard(Move m) {
    if (m.alongside != null) {
      try {
        m.alongside.discard();
      } catch (IOException | RuntimeException e) {
        say.accept("[target " + m.to.target() + "] could not drop the restore prepared for " + m.to + ": "
            + e.getMessage());
      }
      m.alongside = null;
    }
  }

  private void unlock(Move m) {
    if (!m.locked) {
      return;
    }
    try {
      say.accept("[target " + m.from.target() + "] unlocking " + m.from);
      m.source.operate(m.fromState, "unlock");
      m.locked = false;
    } catch (IOException | RuntimeException e) {
      if (m.failure == null) {
        m.step = "unlock on " + m.from.target();
        m.failure = e;
      }
    }
  }

  private void deleteOldState(Move m) throws IOException {
    m.step = "delete the old state on " + m.from.target();
    Machine source = targets.connect(old.target(m.from));
    say.accept("[target " + m.from.target() + "] deleting the old state of " + m.from);
    source.operate(m.fromState, "deactivate");
    source.operate(m.fromState, "collect-garbage");
    journal.record(new Journal.Migrated(m.from, m.to, m.snapshot, true));
  }

  private Outcome outcome(Move m, boolean deleteState, boolean allRestored) {
    if (m.failure != null) {
      String how = m.restored ? "restored on " + m.to.target() + " and recorded; rerun to go on"
          : m.locked ? "nothing deleted; the unlock on " + m.from.target() + " failed: the agent of an ssh target"
              + " unlocks it as its channel ends, else unlock it there (dysnomia --operation unlock); rerun the"
              + " migrate to go on"
          : "nothing deleted, " + m.from.target() + " unlocked; rerun the migrate to go on";
      return new Outcome(m.to.name(), "migrate", "failed", m.route() + ": " + m.step + " failed: "
          + m.failure.getMessage() + " (" + how + ")", m.snapshot == null ? null : m.snapshot.toString(), m.failure);
    }
    String deleted = !deleteState ? "old state kept on " + m.from.target()
        : allRestored ? "old state deleted on " + m.from.target()
        : "old state kept: another service failed";
    return Outcome.done(m.to.name(), "migrate", "done", m.route() + ", " + deleted, m.snapshot);
  }
}
