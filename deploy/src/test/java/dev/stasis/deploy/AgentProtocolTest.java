package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stasis.modules.Trees;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoredFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol end to end: an {@link AgentClient} speaking to an {@link AgentServer} over
 * in-process pipes, the server serving an {@link Agent} on a store of its own, as
 * {@code stasis deploy agent} does at the far end of ssh.
 *
 * <p>The pipes are {@link Pipe}s, not {@code PipedInputStream}s: those tie each end to the last
 * thread that used it and fail once it has ended ("Read end dead"), and {@link Transfer#copy}
 * uses the client from a sender thread of its own.
 */
class AgentProtocolTest {
  /** Only keeps a hang from stalling the build; nothing waits for it to pass. */
  private static final long GUARD_SECONDS = 300;

  @TempDir
  Path tmp;
  private final ByteArrayOutputStream messages = new ByteArrayOutputStream();
  private Path remoteStore;
  private Path localStore;
  private Agent local;
  private Channel channel;
  private AgentClient client;

  /** The two pipes between client and server, and the thread that serves. */
  private static final class Channel {
    final Pipe toServer = open();
    final Pipe toClient = open();
    final InputStream serverIn = Channels.newInputStream(toServer.source());
    final OutputStream serverOut = Channels.newOutputStream(toClient.sink());
    final InputStream clientIn = Channels.newInputStream(toClient.source());
    final OutputStream clientOut = Channels.newOutputStream(toServer.sink());
    final FutureTask<Void> served;

    Channel(Agent agent) {
      served = new FutureTask<>(() -> {
        new AgentServer(agent, serverIn, serverOut, System.err).serve();
        return null;
      });
      Thread t = new Thread(served, "agent server");
      t.setDaemon(true);
      t.start();
    }

    private static Pipe open() {
      try {
        return Pipe.open();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** What the client's close does, as ssh's channel: closes the agent's input, waits for the agent to end. */
    void close() throws Exception {
      clientOut.close();
      served.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    remoteStore = tmp.resolve("remote-store");
    localStore = tmp.resolve("local-store");
    Agent remote = new Agent("remote", host(remoteStore), Fleet.open(remoteStore));
    local = new Agent("local", host(localStore), Fleet.open(localStore));
    channel = new Channel(remote);
    client = new AgentClient("remote", channel.clientIn, channel.clientOut, channel::close);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    local.close();
  }

  private Host host(Path stateDir) {
    PrintStream err = new PrintStream(messages, true, StandardCharsets.UTF_8);
    return new Host(err, err, Map.of("PATH", System.getenv("PATH"), "DYSNOMIA_STATEDIR", stateDir.toString()), tmp,
        stateDir, "stasis", false);
  }

  /** A directory service whose state is {@code tmp/data-WHERE/NAME}. */
  private ServiceState service(String where, String name) {
    return new ServiceState(name, new ContainerSpec("directory", "directory",
        Map.of("directoryRoot", tmp.resolve("data-" + where).toString()), null), name, null);
  }

  private Path state(String where, String name) {
    return tmp.resolve("data-" + where).resolve(name);
  }

  /** The stored file of {@code snapshot} in the store at {@code store}. */
  private static Path storedFile(Path store, StoredFile f) {
    SnapshotRef s = f.snapshot();
    return store.resolve("snapshots").resolve(s.component().container()).resolve(s.component().component())
        .resolve(s.name().value()).resolve(f.file());
  }

  private static void flipAByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(file, bytes);
  }

  /** The paths under {@code store}'s snapshots, checksums and generations. */
  private static List<String> committed(Path store) throws IOException {
    List<String> found = new java.util.ArrayList<>();
    for (String area : List.of("snapshots", "checksums", "generations")) {
      if (Files.exists(store.resolve(area))) {
        try (Stream<Path> s = Files.walk(store.resolve(area))) {
          s.filter(p -> !Files.isDirectory(p) || Files.isSymbolicLink(p)).forEach(p -> found.add(store.relativize(p)
              .toString()));
        }
      }
    }
    return found;
  }

  @Test
  void aSnapshotTakenThroughTheWireIsInTheAgentsStore() throws Exception {
    Trees.sample(state("remote", "www"));
    ServiceState www = service("remote", "www");
    Machine.Taken taken = client.snapshot(www);
    assertEquals(1, taken.generation());
    assertTrue(taken.newGeneration());
    assertEquals(new ComponentRef("directory", "www"), taken.snapshot().component());

    assertTrue(client.has(taken.snapshot()));
    assertEquals(Optional.of(taken.snapshot()), client.latest(www.ref()));
    StoredFile stored = client.stored(taken.snapshot());
    assertEquals(taken.snapshot(), stored.snapshot());
    assertEquals(Files.size(storedFile(remoteStore, stored)), stored.size(), "the remote store's file");
    assertTrue(stored.meta() != null, "stasis's record of it comes along");

    Machine.Taken again = client.snapshot(www);
    assertEquals(taken.snapshot(), again.snapshot());
    assertFalse(again.newGeneration(), "unchanged state: no new generation");

    assertEquals(Optional.empty(), client.latest(new ComponentRef("directory", "nothing")));
    assertFalse(client.has(new SnapshotRef(www.ref(), new SnapshotName("0".repeat(64)))));
    assertTrue(committed(localStore).isEmpty(), "nothing in this process's other store");
  }

  @Test
  void aSnapshotIsCopiedToTheAgentAndBackAsItIs() throws Exception {
    Trees.sample(state("local", "www"));
    Machine.Taken here = local.snapshot(service("local", "www"));
    assertTrue(Transfer.copy(local, client, here.snapshot()), "sent");
    assertTrue(client.has(here.snapshot()));
    assertEquals(Optional.of(here.snapshot()), client.latest(here.snapshot().component()), "the same name there");
    StoredFile sent = local.stored(here.snapshot());
    assertArrayEquals(Files.readAllBytes(storedFile(localStore, sent)),
        Files.readAllBytes(storedFile(remoteStore, client.stored(here.snapshot()))));
    assertFalse(Transfer.copy(local, client, here.snapshot()), "there already: not sent again");

    Trees.file(state("remote", "files"), "a.txt", "files of the remote\n");
    Machine.Taken there = client.snapshot(service("remote", "files"));
    assertTrue(Transfer.copy(client, local, there.snapshot()), "sent back");
    assertTrue(local.has(there.snapshot()));
    assertEquals(Optional.of(there.snapshot()), local.latest(there.snapshot().component()));
    assertArrayEquals(Files.readAllBytes(storedFile(remoteStore, client.stored(there.snapshot()))),
        Files.readAllBytes(storedFile(localStore, local.stored(there.snapshot()))));
    assertTrue(client.has(here.snapshot()), "the agent serves on after the copies");
  }

  @Test
  void aSnapshotDamagedAtTheSenderIsRefusedAtTheAgent() throws Exception {
    Trees.sample(state("local", "www"));
    Machine.Taken here = local.snapshot(service("local", "www"));
    flipAByte(storedFile(localStore, local.stored(here.snapshot())));
    List<String> before = committed(remoteStore);

    assertThrows(IntegrityException.class, () -> Transfer.copy(local, client, here.snapshot()));
    assertFalse(client.has(here.snapshot()));
    assertEquals(Optional.empty(), client.latest(here.snapshot().component()));
    assertEquals(before, committed(remoteStore), "nothing published at the agent");
  }

  @Test
  void aSnapshotDamagedAtTheAgentIsRefusedHere() throws Exception {
    Trees.sample(state("remote", "www"));
    Machine.Taken there = client.snapshot(service("remote", "www"));
    flipAByte(storedFile(remoteStore, client.stored(there.snapshot())));

    assertThrows(IntegrityException.class, () -> Transfer.copy(client, local, there.snapshot()));
    assertFalse(local.has(there.snapshot()));
    assertEquals(List.of(), committed(localStore), "nothing published here");
    assertTrue(client.has(there.snapshot()), "the agent serves on");
  }

  @Test
  void errorsKeepTheirKindAcrossTheWireAndTheAgentServesOn() throws Exception {
    ServiceState www = service("remote", "www");
    SnapshotRef missing = new SnapshotRef(www.ref(), new SnapshotName("0".repeat(64)));

    NotFoundException notFound = assertThrows(NotFoundException.class, () -> client.stored(missing));
    assertTrue(notFound.getMessage().startsWith("on target remote: "), notFound.getMessage());
    assertTrue(notFound.getMessage().contains(missing.toString()), notFound.getMessage());

    UsageException usage = assertThrows(UsageException.class, () -> client.operate(www, "rm -rf"));
    assertTrue(usage.getMessage().contains("rm -rf"), usage.getMessage());

    assertThrows(NotFoundException.class, () -> client.restore(www, missing));

    Trees.file(state("remote", "www"), "a.txt", "still served\n");
    assertTrue(client.snapshot(www).newGeneration(), "served after three failed requests");
  }

  @Test
  void aClientWhoseAgentHasGoneGetsAClearError() throws Exception {
    // the agent's end of the channel closes, as when the agent or ssh dies
    channel.toServer.source().close();
    channel.toClient.sink().close();
    ExecutionException served = assertThrows(ExecutionException.class,
        () -> channel.served.get(GUARD_SECONDS, TimeUnit.SECONDS));
    assertTrue(served.getCause() instanceof IOException, "the server sees its channel closed under it: " + served);

    StoreException e = guarded(() -> assertThrows(StoreException.class, () -> client.latest(new ComponentRef(
        "directory", "www"))));
    assertTrue(e.getMessage().contains("lost the connection to the stasis agent on target remote"), e.getMessage());
    client = null;  // its channel is gone
  }

  @Test
  void aClientWhoseAgentStopsAnsweringGetsAClearError() throws Exception {
    // the agent reads the request, then its output closes: no answer comes
    channel.toClient.sink().close();
    StoreException e = guarded(() -> assertThrows(StoreException.class, () -> client.has(new SnapshotRef(
        new ComponentRef("directory", "www"), new SnapshotName("0".repeat(64))))));
    assertTrue(e.getMessage().contains("lost the connection to the stasis agent on target remote"), e.getMessage());
    channel.clientOut.close();
    assertThrows(ExecutionException.class, () -> channel.served.get(GUARD_SECONDS, TimeUnit.SECONDS),
        "its answer had nowhere to go");
    client = null;
  }

  @Test
  void aClientWhoseAgentGoesInTheMiddleOfASnapshotGetsAClearError() throws Exception {
    Trees.sample(state("local", "www"));
    Machine.Taken here = local.snapshot(service("local", "www"));
    StoredFile file = local.stored(here.snapshot());
    // the request has gone; as the first bytes to follow it are read, the agent goes (its
    // channel closes, and it ends), so no byte of the snapshot can reach it
    InputStream bytes = new java.io.FilterInputStream(Files.newInputStream(storedFile(localStore, file))) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (channel.toServer.source().isOpen()) {
          channel.toServer.source().close();
          ExecutionException ended = assertThrows(ExecutionException.class,
              () -> channel.served.get(GUARD_SECONDS, TimeUnit.SECONDS));
          assertTrue(ended.getCause() instanceof IOException, ended.toString());
        }
        return super.read(b, off, len);
      }
    };
    StoreException e = guarded(() -> assertThrows(StoreException.class, () -> client.receive(file, bytes)));
    assertTrue(e.getMessage().contains("lost the connection to the stasis agent on target remote"), e.getMessage());
    client = null;
  }

  @Test
  void aSenderFailingHalfWayIsRefusedAtTheAgentWithTheSendersError() throws Exception {
    Trees.sample(state("local", "www"));
    Machine.Taken here = local.snapshot(service("local", "www"));
    Machine failing = new HalfSender(local);
    IntegrityException e = assertThrows(IntegrityException.class,
        () -> Transfer.copy(failing, client, here.snapshot()), "the sender's kind of error, not the agent's echo");
    assertEquals("damaged half-way at the sender", e.getMessage());
    assertFalse(client.has(here.snapshot()), "nothing published at the agent");
    assertEquals(List.of(), committed(remoteStore));
    assertTrue(Transfer.copy(local, client, here.snapshot()), "the agent serves on: a sound copy arrives");
  }

  /** A machine whose send writes half the stored bytes, then fails as a sender finding damage would. */
  private static final class HalfSender implements Machine {
    private final Machine m;

    HalfSender(Machine m) {
      this.m = m;
    }

    @Override
    public void send(StoredFile file, OutputStream out) throws IOException {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      m.send(file, all);
      out.write(all.toByteArray(), 0, all.size() / 2);
      throw new IntegrityException("damaged half-way at the sender");
    }

    @Override
    public String name() {
      return m.name();
    }

    @Override
    public Taken snapshot(ServiceState service) throws IOException {
      return m.snapshot(service);
    }

    @Override
    public Optional<SnapshotRef> latest(ComponentRef component) throws IOException {
      return m.latest(component);
    }

    @Override
    public boolean has(SnapshotRef snapshot) throws IOException {
      return m.has(snapshot);
    }

    @Override
    public StoredFile stored(SnapshotRef snapshot) throws IOException {
      return m.stored(snapshot);
    }

    @Override
    public dev.stasis.store.IngestResult receive(StoredFile file, InputStream bytes) throws IOException {
      return m.receive(file, bytes);
    }

    @Override
    public dev.stasis.store.IngestResult link(SnapshotRef snapshot) throws IOException {
      return m.link(snapshot);
    }

    @Override
    public void restore(ServiceState service, SnapshotRef snapshot) throws IOException {
      m.restore(service, snapshot);
    }

    @Override
    public void operate(ServiceState service, String operation) throws IOException {
      m.operate(service, operation);
    }

    @Override
    public Collected gc(ComponentRef component, int keep) throws IOException {
      return m.gc(component, keep);
    }

    @Override
    public void close() {
      // the wrapped machine is closed by its owner
    }
  }

  /** {@code work}'s result, on a thread of its own, so that a hang fails the test after the guard. */
  private static <T> T guarded(Callable<T> work) throws Exception {
    FutureTask<T> task = new FutureTask<>(work);
    Thread t = new Thread(task, "guarded");
    t.setDaemon(true);
    t.start();
    try {
      return task.get(GUARD_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException hung) {
      t.interrupt();
      return fail("hung for " + GUARD_SECONDS + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
