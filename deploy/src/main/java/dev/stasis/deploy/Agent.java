package dev.stasis.deploy;

import dev.stasis.modules.ContainerFile;
import dev.stasis.modules.Deployed;
import dev.stasis.modules.Deployment;
import dev.stasis.modules.Lookup;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.GcPlan;
import dev.stasis.store.Generation;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Names;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import dev.stasis.store.StoreLayout;
import dev.stasis.store.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A machine's store and services, worked on in this process: the coordinator's own store, a
 * {@code local} target, and, behind {@link AgentServer}, a target reached over ssh.
 */
public final class Agent implements Machine {
  /** The Dysnomia operations a deployment runs on a service besides snapshot and restore. */
  static final Set<String> OPERATIONS = Set.of("activate", "lock", "unlock", "deactivate", "collect-garbage");

  private final String name;
  private final Host host;
  private final Store store;

  /**
   * @param host the machine's host, its state directory the store's local directory
   * @param store the machine's store; closed with this agent
   */
  public Agent(String name, Host host, Store store) {
    this.name = name;
    this.host = host;
    this.store = store;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Taken snapshot(ServiceState service) throws IOException {
    return snapshot(service, null);
  }

  /**
   * As {@link #snapshot(ServiceState)}, every logical byte also handed to {@code tee} (if not null)
   * as it is stored, {@code tee} ended when the dump ends; a failing {@code tee} is dropped.
   */
  public Taken snapshot(ServiceState service, OutputStream tee) throws IOException {
    Deployed d = deployed(service);
    IngestResult r = new Deployment(host, store).snapshot(d.driven("deploy snapshot"), target(d, service),
        d.compression(null, Compression.ZSTD), bytes -> { }, tee);
    return new Taken(r.snapshot(), r.generation().number(), r.newGeneration());
  }

  /**
   * A restore of the service prepared beside its live state from {@code logical}, a dump being
   * taken elsewhere at the same time; commit it only if its SHA-256 is the snapshot's id.
   */
  public Deployment.Prepared prepare(ServiceState service, InputStream logical) throws IOException {
    Deployed d = deployed(service);
    return new Deployment(host, store).prepare(d.driven("deploy restore"), target(d, service), logical);
  }

  @Override
  public Optional<SnapshotRef> latest(ComponentRef component) throws IOException {
    return store.latest(component).map(Generation::snapshotRef);
  }

  @Override
  public boolean has(SnapshotRef snapshot) throws IOException {
    return store.exists(snapshot);
  }

  @Override
  public StoredFile stored(SnapshotRef snapshot) throws IOException {
    return store.stored(snapshot);
  }

  @Override
  public void send(StoredFile file, OutputStream out) throws IOException {
    try (InputStream in = store.openStored(file)) {
      in.transferTo(out);
    }
  }

  @Override
  public IngestResult receive(StoredFile file, InputStream bytes) throws IOException {
    return store.receive(file, bytes);
  }

  @Override
  public IngestResult link(SnapshotRef snapshot) throws IOException {
    return store.linkNewest(snapshot);
  }

  @Override
  public void restore(ServiceState service, SnapshotRef snapshot) throws IOException {
    Deployed d = deployed(service);
    new Deployment(host, store).restore(d.driven("deploy restore"), target(d, service), Optional.of(snapshot));
  }

  @Override
  public void operate(ServiceState service, String operation) throws IOException {
    if (!OPERATIONS.contains(operation)) {
      throw new IllegalArgumentException("not an operation a deployment runs: " + operation);
    }
    Deployed d = deployed(service);
    Module module = d.driven("deploy " + operation);
    new Deployment(host, store).run(operation, module, target(d, service), Optional.empty(), Compression.ZSTD);
  }

  @Override
  public Collected gc(ComponentRef component, int keep) throws IOException {
    Scope scope = component == null ? Scope.all() : Scope.of(component);
    GcPlan plan = store.gc(scope, keep, false, action -> host.detail(action.dysnomiaLine()));
    int generations = 0;
    int snapshots = 0;
    for (GcPlan.Action a : plan.actions()) {
      if (a.kind() == GcPlan.Kind.GENERATION) {
        generations++;
      } else if (a.kind() == GcPlan.Kind.SNAPSHOT) {
        snapshots++;
      }
    }
    return new Collected(generations, snapshots);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }

  /**
   * The service's container and component on this machine, as Dysnomia resolves them; a
   * component given by a name Dysnomia does not find there is a component with no initial state
   * (no SQL scripts, no repository dump), which is all snapshot and restore need.
   */
  private Deployed deployed(ServiceState s) throws IOException {
    ContainerSpec c = s.container();
    String type = c.type();
    Map<String, String> properties = c.properties();
    String containerArg = c.name();
    if (c.file() != null) {
      ContainerFile file = ContainerFile.read(host.path(c.file()), host.env());
      type = file.type();
      properties = file.properties();
      containerArg = c.file();
    }
    if (s.holdsServerGlobals()) {
      return Deployed.serverGlobals(host, type, c.name(), host.path(containerArg), properties, containerArg);
    }
    try {
      return Deployed.of(host, type, c.name(), properties, containerArg, s.component());
    } catch (NotFoundException notOnThisMachine) {
      if (Lookup.isPath(s.component())) {
        throw notOnThisMachine;
      }
      Path none = host.stateDir().resolve(StoreLayout.DEPLOY.path()).resolve("no-component")
          .resolve(Names.requireSafe(s.component(), "component"));
      return Deployed.of(host, type, c.name(), properties, containerArg, none.toString());
    }
  }

  private static Target target(Deployed d, ServiceState s) {
    return s.stateName() == null ? d.target() : d.target().as(s.stateName());
  }
}
