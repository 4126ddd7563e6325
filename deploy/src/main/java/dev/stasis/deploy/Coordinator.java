package dev.stasis.deploy;

import dev.stasis.store.SnapshotRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Disnix's state management over stasis: snapshot, restore, migrate and clean the state of a
 * deployment's stateful services on their targets, with the coordinator's store as the place
 * snapshots gather. Every snapshot that crosses machines is streamed and verified on arrival
 * ({@link Transfer}); a snapshot the receiver has is not sent again.
 *
 * <pre>{@code
 * try (Targets targets = new Targets(host, opener)) {
 *   Coordinator c = new Coordinator(manifest, coordinatorMachine, targets, stateDir, host.err()::println);
 *   List<Outcome> done = c.migrate(old, false, false, false);
 * }
 * }</pre>
 */
public final class Coordinator {
  private final Manifest manifest;
  private final Machine coordinator;
  private final Targets targets;
  private final Journal journal;
  private final Consumer<String> say;

  /**
   * @param manifest the deployment (for migrate, the new one)
   * @param coordinator the coordinator's store as a machine
   * @param stateDir the coordinator's state directory: its journal
   * @param say told what is being done, a line at a time (progress, on stderr)
   */
  public Coordinator(Manifest manifest, Machine coordinator, Targets targets, Path stateDir, Consumer<String> say) {
    this.manifest = manifest;
    this.coordinator = coordinator;
    this.targets = targets;
    this.journal = new Journal(stateDir);
    this.say = say;
  }

  /**
   * Snapshots each service's state on its target and copies the snapshot to the coordinator
   * (sent only if the coordinator lacks it), as {@code disnix-snapshot} does.
   */
  public List<Outcome> snapshot(List<Service> services) {
    List<Outcome> outcomes = new ArrayList<>();
    Set<String> servers = new HashSet<>();
    for (Service s : services) {
      ServiceState state = ServiceState.of(manifest, s);
      if (state.serverGlobals().holdsServerGlobals() && servers.add(s.target() + "/" + s.container())) {
        outcomes.add(snapshot(s.target() + "/" + s.container() + " roles", s.target(), state.serverGlobals()));
      }
      outcomes.add(snapshot(s.name(), s.target(), state));
    }
    return outcomes;
  }

  /** Snapshots one state on {@code target} and copies the snapshot to the coordinator. */
  private Outcome snapshot(String subject, String target, ServiceState state) {
    try {
      Machine m = targets.connect(manifest.targets().get(target));
      say.accept("[target " + target + "] snapshotting " + subject);
      Machine.Taken taken = m.snapshot(state);
      boolean sent = Transfer.copy(m, coordinator, taken.snapshot());
      return Outcome.done(subject, "snapshot", taken.newGeneration() ? "done" : "unchanged",
          "generation " + taken.generation() + " on " + target + (sent ? ", sent to the coordinator"
              : ", the coordinator has it"), taken.snapshot());
    } catch (IOException | RuntimeException e) {
      return Outcome.failed(subject, "snapshot", "on " + target, e);
    }
  }

  /**
   * Restores the coordinator's newest snapshot of each service onto its target, sending it there
   * first if the target lacks it, as {@code disnix-restore} does: of {@code services}, only
   * those placed anew since {@code previous} (new, or moved to another target or container), or
   * all of them with {@code noUpgrade} or without a previous deployment.
   *
   * @param previous the previous deployment's services: given, or the last one a migrate completed
   */
  public List<Outcome> restore(List<Service> services, Optional<List<Service>> previous, boolean noUpgrade)
      throws IOException {
    Optional<List<Service>> before = previous.isPresent() ? previous : journal.current();
    List<Outcome> outcomes = new ArrayList<>();
    Set<String> servers = new HashSet<>();
    for (Service s : services) {
      if (!noUpgrade && before.isPresent() && before.get().stream().anyMatch(o -> o.name().equals(s.name())
          && o.sameMapping(s))) {
        outcomes.add(Outcome.done(s.name(), "restore", "skipped", "in the same place in the previous deployment"
            + " (--no-upgrade restores it too)", null));
        continue;
      }
      ServiceState state = ServiceState.of(manifest, s);
      try {
        Optional<SnapshotRef> latest = coordinator.latest(state.ref());
        if (latest.isEmpty()) {
          outcomes.add(Outcome.done(s.name(), "restore", "skipped", "the coordinator has no snapshot of "
              + state.ref(), null));
          continue;
        }
        Machine m = machine(s);
        if (state.serverGlobals().holdsServerGlobals() && servers.add(s.target() + "/" + s.container())) {
          restoreRoles(m, s, state.serverGlobals());
        }
        say.accept("[target " + s.target() + "] restoring " + s + " from " + latest.get());
        boolean sent = Transfer.copy(coordinator, m, latest.get());
        m.restore(state, latest.get());
        outcomes.add(Outcome.done(s.name(), "restore", "done", (sent ? "sent to " : "already on ") + s.target()
            + ", restored", latest.get()));
      } catch (IOException | RuntimeException e) {
        outcomes.add(Outcome.failed(s.name(), "restore", "on " + s.target(), e));
      }
    }
    return outcomes;
  }

  /**
   * Gives the PostgreSQL server of {@code s} the roles it lacks of those the coordinator's newest
   * roles snapshot of that container holds (taken by {@link #snapshot}), before its first database
   * is restored; nothing when there is none.
   */
  private void restoreRoles(Machine m, Service s, ServiceState roles) throws IOException {
    Optional<SnapshotRef> latest = coordinator.latest(roles.ref());
    if (latest.isPresent()) {
      say.accept("[target " + s.target() + "] creating the roles its " + s.container() + " lacks");
      Transfer.copy(coordinator, m, latest.get());
      m.restore(roles, latest.get());
    }
  }

  /**
   * Moves the state of every service whose place changed from {@code old} to this deployment; see
   * {@link Migration}.
   */
  public List<Outcome> migrate(Manifest old, boolean deleteState, boolean depthFirst, boolean dryRun)
      throws IOException {
    List<Outcome> outcomes = new Migration(old, manifest, coordinator, targets, journal, say)
        .run(deleteState, depthFirst, dryRun);
    if (!dryRun && outcomes.stream().noneMatch(Outcome::failed)) {
      journal.current(manifest);
    }
    return outcomes;
  }

  /**
   * Keeps the newest {@code keep} generations of every component on every target of the
   * deployment and on the coordinator ({@code disnix-clean-snapshots}, which leaves the
   * coordinator to its user; stasis cleans it too); of {@code services}' components only, when
   * given.
   */
  public List<Outcome> clean(int keep, List<Service> services) {
    List<Outcome> outcomes = new ArrayList<>();
    List<String> names = new ArrayList<>(manifest.targets().keySet());
    for (String t : names) {
      outcomes.add(clean(t, keep, services, true));
    }
    outcomes.add(clean("coordinator", keep, services, false));
    return outcomes;
  }

  private Outcome clean(String name, int keep, List<Service> services, boolean target) {
    try {
      Machine m = target ? targets.connect(manifest.targets().get(name)) : coordinator;
      say.accept("[" + (target ? "target " : "") + name + "] keeping " + keep + " generation(s) per component");
      int generations = 0;
      int snapshots = 0;
      if (services.isEmpty()) {
        Machine.Collected c = m.gc(null, keep);
        generations += c.generations();
        snapshots += c.snapshots();
      } else {
        for (Service s : services) {
          if (!target || s.target().equals(name)) {
            Machine.Collected c = m.gc(ServiceState.of(manifest, s).ref(), keep);
            generations += c.generations();
            snapshots += c.snapshots();
          }
        }
      }
      return Outcome.done(name, "clean", "done", "deleted " + generations + " generation(s), " + snapshots
          + " snapshot(s)", null);
    } catch (IOException | RuntimeException e) {
      return Outcome.failed(name, "clean", "on " + name, e);
    }
  }

  private Machine machine(Service s) throws IOException {
    return targets.connect(manifest.target(s));
  }
}
