package dev.stasis.deploy;

import dev.stasis.modules.spi.Host;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connects to the targets of a deployment, once each: a {@code local} target is an
 * {@link Agent} on its store in this process, an ssh target an {@link AgentClient} over ssh.
 * Closing closes them all.
 */
public final class Targets implements AutoCloseable {
  /** Opens a local directory as a store; the command line picks the backend. */
  @FunctionalInterface
  public interface StoreOpener {
    Store open(Path dir) throws IOException;
  }

  private final Host host;
  private final StoreOpener opener;
  private final Map<String, Machine> open = new LinkedHashMap<>();

  /** @param host this machine's host; a local target's store becomes its state directory */
  public Targets(Host host, StoreOpener opener) {
    this.host = host;
    this.opener = opener;
  }

  /** The machine of {@code t}, connected on first use. */
  public Machine connect(TargetSpec t) throws IOException {
    Machine m = open.get(t.name());
    if (m == null) {
      m = t.address().isLocal() ? local(t) : Ssh.connect(t, host.err());
      open.put(t.name(), m);
    }
    return m;
  }

  private Machine local(TargetSpec t) throws IOException {
    Path dir = host.path(t.stateDir());
    Map<String, String> env = new HashMap<>(host.env());
    env.put("DYSNOMIA_STATEDIR", dir.toString());
    Host there = new Host(host.out(), host.err(), env, host.cwd(), dir, host.program(), host.verbose());
    return new Agent(t.name(), there, opener.open(dir));
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Machine m : open.values()) {
      try {
        m.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }
}
