package dev.stasis.store;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A store of snapshots, generations and checksums over a {@link Backend}: the engine every
 * command and module goes through.
 *
 * <pre>{@code
 * Store store = Store.open(backend, locks, Duration.ofSeconds(30));
 * try (Ingest ingest = store.ingest(component, "dump.pgsql", Compression.ZSTD, "pg_dump", Map.of())) {
 *   dumper.transferTo(ingest.output());
 *   IngestResult result = ingest.commit();
 * }
 * }</pre>
 */
public final class Store implements Closeable {
  /** How many numbers one link tries before giving up ({@link #link}). */
  static final int LINK_ATTEMPTS = 32;

  private final Backend backend;
  private final StoreLocks locks;
  private final Duration lockWait;

  private Store(Backend backend, StoreLocks locks, Duration lockWait) {
    this.backend = backend;
    this.locks = locks;
    this.lockWait = lockWait;
  }

  /**
   * A store over {@code backend}.
   *
   * @param lockWait how long a command waits for the store lock before failing as locked
   */
  public static Store open(Backend backend, StoreLocks locks, Duration lockWait) {
    return new Store(backend, locks, lockWait);
  }

  public Backend backend() {
    return backend;
  }

  /**
   * Starts ingesting a logical stream as a new snapshot of {@code component}.
   *
   * @param logicalFile the file name before compression, such as {@code dump.pgsql}
   * @param source what produces the stream, recorded in the metadata
   */
  public Ingest ingest(ComponentRef component, String logicalFile, Compression compression,
      String source, Map<String, String> attributes) throws IOException {
    // zstd at its default level goes faster while it is what the stream waits for (PacedZstd, ChunkingOutput)
    return open(component, logicalFile, compression, compression.defaultLevel(),
        compression == Compression.ZSTD || compression == Compression.CHUNKED, source, attributes);
  }

  /**
   * As {@link #ingest(ComponentRef, String, Compression, String, Map)}, compressing at
   * {@code level} throughout.
   */
  public Ingest ingest(ComponentRef component, String logicalFile, Compression compression, int level,
      String source, Map<String, String> attributes) throws IOException {
    return open(component, logicalFile, compression, level, false, source, attributes);
  }

  private Ingest open(ComponentRef component, String logicalFile, Compression compression, int level,
      boolean paced, String source, Map<String, String> attributes) throws IOException {
    String file = compression.fileName(Compression.requireLogicalName(logicalFile));
    if (compression == Compression.CHUNKED) {
      // held until the index is published: no gc deletes a chunk this stream found present
      StoreLocks.Held shared = locks.store(LockMode.SHARED, "chunked ingest of " + component, lockWait);
      try {
        return new Ingest(this, component, file, compression, level, paced, source, attributes, backend.create(),
            null, shared);
      } catch (IOException | RuntimeException e) {
        shared.close();
        throw e;
      }
    }
    Comparison comparison = Comparison.withNewest(this, component, file).orElse(null);
    try {
      return new Ingest(this, component, file, compression, level, paced, source, attributes, backend.create(),
          comparison, null);
    } catch (IOException | RuntimeException e) {
      if (comparison != null) {
        comparison.close();
      }
      throw e;
    }
  }

  // ---- queries

  /** Every generation in {@code scope}, by component name, then numerically. */
  public List<Generation> generations(Scope scope) throws IOException {
    List<Generation> all = new ArrayList<>();
    backend.generations().list(scope, all::add);
    all.sort(Generation.ORDER);
    return all;
  }

  /** The newest generation of every component in {@code scope}, by component name. */
  public List<Generation> latest(Scope scope) throws IOException {
    Map<ComponentRef, Generation> newest = new TreeMap<>();
    for (Generation g : generations(scope)) {
      newest.put(g.component(), g);
    }
    return List.copyOf(newest.values());
  }

  public Optional<Generation> latest(ComponentRef component) throws IOException {
    List<Generation> newest = latest(Scope.of(component));
    return newest.isEmpty() ? Optional.empty() : Optional.of(newest.get(0));
  }

  /**
   * Generation {@code number} of {@code component}.
   *
   * @throws NotFoundException if there is none
   */
  public Generation generation(ComponentRef component, long number) throws IOException {
    for (Generation g : generations(Scope.of(component))) {
      if (g.number() == number) {
        return g;
      }
    }
    throw new NotFoundException("%s has no generation %d (see stasis list)", component, number);
  }

  /** The snapshot's objects, in listing order; empty when it does not exist. */
  public List<ObjectInfo> files(SnapshotRef snapshot) throws IOException {
    List<ObjectInfo> files = new ArrayList<>();
    backend.list(StoreLayout.snapshotDir(snapshot), files::add);
    return files;
  }

  /** Whether the snapshot is committed: it has files and a checksum record. */
  public boolean exists(SnapshotRef snapshot) throws IOException {
    return backend.stat(StoreLayout.checksum(snapshot)).isPresent() && !files(snapshot).isEmpty();
  }

  /** Where the snapshot directory is: a path or a URL. */
  public String location(SnapshotRef snapshot) {
    return backend.location(StoreLayout.snapshotDir(snapshot));
  }

  /** The metadata stasis recorded, if it made the snapshot and the record is readable. */
  public Optional<SnapshotMeta> meta(SnapshotRef snapshot) throws IOException {
    Optional<byte[]> bytes = readSmall(StoreLayout.meta(snapshot));
    try {
      return bytes.map(SnapshotMeta::parse);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The checksum record, if there is one. */
  public Optional<String> checksum(SnapshotRef snapshot) throws IOException {
    return readSmall(StoreLayout.checksum(snapshot)).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /**
   * Reads a one-file snapshot's logical bytes, verifying its checksum and name as they stream.
   *
   * @throws NotFoundException if the snapshot does not exist
   * @throws IntegrityException if it has no checksum (at once) or its bytes do not match (at the end,
   *     or where damage stops the decompressor)
   */
  public SnapshotReader read(SnapshotRef snapshot) throws IOException {
    return SnapshotReader.open(this, snapshot);
  }

  /**
   * Describes a one-file snapshot for sending it as a stream; {@link #openStored} reads its bytes.
   *
   * @throws NotFoundException if the snapshot does not exist
   * @throws IntegrityException if it has no valid checksum record
   * @throws StoreException for a snapshot of several files (Dysnomia's directory snapshots)
   */
  public StoredFile stored(SnapshotRef snapshot) throws IOException {
    List<ObjectInfo> files = files(snapshot);
    if (files.isEmpty()) {
      throw new NotFoundException("no snapshot %s in %s (see --query-all)", snapshot, location(snapshot));
    }
    if (files.size() != 1) {
      throw new StoreException("snapshot %s holds %d files (a Dysnomia module's directory snapshot); only one-file"
          + " snapshots can be sent", snapshot, files.size());
    }
    String checksum = checksum(snapshot).orElse("");
    ObjectInfo file = files.get(0);
    if (Compression.ofFileName(file.key().name()) == Compression.CHUNKED) {
      throw new StoreException("snapshot %s is chunked: it is not sent as one file (stasis mirror sends chunked"
          + " snapshots; stasis export-dysnomia makes a plain copy)", snapshot);
    }
    return new StoredFile(snapshot, file.key().name(), file.size(), checksum, meta(snapshot).orElse(null));
  }

  /** The stored bytes of {@code file}, as they are on disk (compressed). */
  public InputStream openStored(StoredFile file) throws IOException {
    return backend.open(StoreLayout.snapshotFile(file.snapshot(), file.file()));
  }

  /**
   * Publishes a snapshot sent from another store ({@link #stored}), verified in the one pass that
   * writes it: its checksum must equal {@code file}'s record and a name of SHA-256 form must be
   * the hash of its content or of its file. Links a generation unless the component's newest
   * already points at it. On a mismatch nothing is published.
   *
   * @param bytes the stored bytes, read to their end
   * @throws IntegrityException when the bytes do not match, or do not decompress
   */
  public IngestResult receive(StoredFile file, InputStream bytes) throws IOException {
    return SnapshotCopy.receive(this, file, bytes);
  }

  /**
   * Makes a snapshot of this store its component's newest generation, as Dysnomia's import of a
   * snapshot already in the store does: verified first; nothing linked when the newest is it.
   *
   * @throws IntegrityException if the snapshot is damaged
   */
  public IngestResult linkNewest(SnapshotRef snapshot) throws IOException {
    return linkExisting(snapshot, -1, -1);
  }

  // ---- maintenance

  /**
   * Plans garbage collection of {@code scope}, keeping the newest {@code keep} generations of
   * each component, and applies it unless {@code dryRun}. Planning and applying happen under
   * the exclusive lock, so nothing committed meanwhile is lost.
   */
  public GcPlan gc(Scope scope, int keep, boolean dryRun, GcPlan.Listener listener) throws IOException {
    try (StoreLocks.Held lock = locks.store(dryRun ? LockMode.SHARED : LockMode.EXCLUSIVE, "gc", lockWait)) {
      GcPlan plan = GcPlan.make(this, scope, keep);
      if (!dryRun) {
        plan.apply(backend, listener);
      }
      return plan;
    }
  }

  /**
   * Checks the snapshots of {@code generations} and, when {@code everything}, every other
   * snapshot in {@code scope}; reports every problem and keeps going. Runs under the shared
   * lock, so no gc deletes a generation and its snapshot half-way through (which would show a
   * dangling generation no committed operation left); list {@code generations} under
   * {@link #sharedLock(String)} too, so that no gc runs between the listing and the check.
   */
  public CheckReport check(List<Generation> generations, Scope scope, boolean everything) throws IOException {
    return check(generations, scope, everything, sha256 -> true);
  }

  /**
   * As {@link #check(List, Scope, boolean)}, reading only the chunks {@code readChunk} takes (by
   * their SHA-256, hex) of chunked snapshots: the others are only found present. Each chunk is
   * read at most once however many snapshots list it.
   */
  public CheckReport check(List<Generation> generations, Scope scope, boolean everything,
      java.util.function.Predicate<String> readChunk) throws IOException {
    try (StoreLocks.Held shared = sharedLock("check")) {
      return CheckReport.make(this, generations, scope, everything, readChunk);
    }
  }

  /**
   * Takes the shared store lock until the result is closed: commits go on, gc waits. For reads
   * that must agree with each other, such as a listing and a check of what it listed; it may be
   * taken again inside (by {@link #check}).
   *
   * @throws LockedException after the lock wait, naming the holders
   */
  public StoreLocks.Held sharedLock(String operation) {
    return locks.store(LockMode.SHARED, operation, lockWait);
  }

  /**
   * Imports a snapshot directory holding one file, as Dysnomia's {@code --import} does, but
   * verified: a name of SHA-256 form must equal the SHA-256 of the file (Dysnomia's naming) or
   * of its logical content (stasis's); any other name is opaque. A mismatch stores nothing.
   *
   * @param source opens the file's bytes; called twice when the name is not the file's SHA-256
   * @throws IntegrityException on a mismatch
   */
  public IngestResult importSnapshot(SnapshotRef snapshot, String file, Importer.Source source, String from)
      throws IOException {
    return new Importer(this, snapshot, Names.requireSafe(file, "file name"), source, from).run();
  }

  // ---- the commit protocol, shared by Ingest, Importer and Mirror

  /**
   * Publishes a staged snapshot file and links a generation to it, under the shared store lock
   * and the snapshot's publish lock: if the snapshot already exists and verifies, the staging
   * is dropped (deduplicated); if it exists damaged, it is replaced. Order: metadata, checksum,
   * snapshot, generation, so a reader never sees a snapshot without its checksum.
   *
   * @return the result, with {@code deduplicated} set when nothing was written
   */
  IngestResult publish(ObjectWriter staged, SnapshotRef snapshot, String file, String checksum,
      SnapshotMeta meta, long logicalSize, long storedSize) throws IOException {
    return publish(staged, snapshot, file, checksum, meta, logicalSize, storedSize, false);
  }

  /** As above; {@code xzForm} is passed on to the result ({@link IngestResult#xzForm()}). */
  IngestResult publish(ObjectWriter staged, SnapshotRef snapshot, String file, String checksum,
      SnapshotMeta meta, long logicalSize, long storedSize, boolean xzForm) throws IOException {
    try (StoreLocks.Held shared = locks.store(LockMode.SHARED, "commit " + snapshot, lockWait);
        StoreLocks.Held publishing = locks.snapshot(snapshot, lockWait)) {
      boolean dedup = commit(staged, snapshot, file, checksum, meta);
      return link(snapshot, dedup, logicalSize, storedSize, xzForm);
    }
  }

  /**
   * Publishes a snapshot as {@link #publish} does, but links no generation: a mirror puts back a
   * snapshot that generations of this store point at but that went missing here. Returns
   * whether it was there, verified, after all (nothing written).
   */
  boolean publishUnlinked(ObjectWriter staged, SnapshotRef snapshot, String file, String checksum,
      SnapshotMeta meta) throws IOException {
    try (StoreLocks.Held shared = locks.store(LockMode.SHARED, "commit " + snapshot, lockWait);
        StoreLocks.Held publishing = locks.snapshot(snapshot, lockWait)) {
      return commit(staged, snapshot, file, checksum, meta);
    }
  }

  /** The commit steps of a publish, under its locks; returns true when the snapshot verified already. */
  private boolean commit(ObjectWriter staged, SnapshotRef snapshot, String file, String checksum, SnapshotMeta meta)
      throws IOException {
    Verdict existing = verify(snapshot);
    if (existing.kind() == Verdict.Kind.OK) {
      staged.close();
      return true;
    }
    if (existing.kind() != Verdict.Kind.ABSENT) {
      deleteSnapshot(snapshot, existing.files());
    }
    if (meta != null) {
      writeSmall(StoreLayout.meta(snapshot), meta.toBytes());
    }
    writeSmall(StoreLayout.checksum(snapshot), checksum.getBytes(StandardCharsets.UTF_8));
    staged.commit(StoreLayout.snapshotFile(snapshot, file));
    return false;
  }

  /** Links a generation to an existing, verified snapshot, under the shared store lock. */
  IngestResult linkExisting(SnapshotRef snapshot, long logicalSize, long storedSize) throws IOException {
    try (StoreLocks.Held shared = locks.store(LockMode.SHARED, "link " + snapshot, lockWait)) {
      Verdict v = verify(snapshot);
      if (v.kind() != Verdict.Kind.OK) {
        throw new IntegrityException("snapshot %s is damaged (%s); not linking it",
            snapshot, v.kind().name().toLowerCase().replace('_', ' '));
      }
      return link(snapshot, true, logicalSize, storedSize, false);
    }
  }

  /**
   * Makes {@code snapshot} the newest generation of its component, unless it already is:
   * creates link N+1 directly and, when another writer took N+1 first, re-reads and retries, at
   * most {@link #LINK_ATTEMPTS} times. Each try lists the component's generations, so the bound
   * is small: a few writers settle within a few tries, and a backend that loses every claim (an
   * S3-compatible server that does not keep what it is given) fails fast instead of listing
   * thousands of times.
   */
  private IngestResult link(SnapshotRef snapshot, boolean dedup, long logicalSize, long storedSize,
      boolean xzForm) throws IOException {
    for (int attempt = 0; attempt < LINK_ATTEMPTS; attempt++) {
      Optional<Generation> newest = latest(snapshot.component());
      if (newest.isPresent() && newest.get().snapshot().equals(snapshot.name())) {
        return new IngestResult(newest.get(), false, dedup, logicalSize, storedSize, xzForm);
      }
      long next = newest.map(g -> g.number() + 1).orElse(1L);
      Generation g = new Generation(snapshot.component(), next, snapshot.name());
      if (backend.generations().create(g)) {
        return new IngestResult(g, true, dedup, logicalSize, storedSize, xzForm);
      }
    }
    throw new StoreException("could not link a generation for %s after %d tries: each number was taken first by"
        + " another writer, or %s does not keep the generation links it is given", snapshot, LINK_ATTEMPTS,
        backend.location(StoreLayout.GENERATIONS));
  }

  /**
   * A writer for the object at {@code key} of a snapshot whose name is known before its bytes
   * (a mirror): straight to the key where the backend {@link SupportsDirectWrites supports it}
   * (on S3: no server-side copy, and an interrupted upload resumes), else staged. Either way it
   * is published by {@link #publish}, which commits it to {@code key}.
   */
  ObjectWriter receive(Key key) throws IOException {
    return backend instanceof SupportsDirectWrites direct ? direct.create(key) : backend.create();
  }

  /**
   * Links a generation to a snapshot this process published and verified moments ago, without
   * reading its bytes again (a mirror's A,B,A history links A twice): under the shared store
   * lock it must still be committed with the checksum record it was published with.
   *
   * @throws StoreException if it vanished or changed meanwhile (another process's gc)
   */
  IngestResult linkPublished(SnapshotRef snapshot, String checksum) throws IOException {
    return linkPublished(snapshot, checksum, -1, -1);
  }

  /** As {@link #linkPublished(SnapshotRef, String)}, with the sizes the result reports. */
  IngestResult linkPublished(SnapshotRef snapshot, String checksum, long logicalSize, long storedSize)
      throws IOException {
    try (StoreLocks.Held shared = locks.store(LockMode.SHARED, "link " + snapshot, lockWait)) {
      if (!exists(snapshot) || !checksum(snapshot).equals(Optional.of(checksum))) {
        throw new StoreException("snapshot %s vanished or changed since it was published here; not linking it"
            + " (was gc running?)", snapshot);
      }
      return link(snapshot, true, logicalSize, storedSize, false);
    }
  }

  /** Verifies a snapshot's bytes against its checksum record. */
  Verdict verify(SnapshotRef snapshot) throws IOException {
    List<ObjectInfo> files = files(snapshot);
    Optional<String> expected = checksum(snapshot);
    if (files.isEmpty()) {
      return new Verdict(expected.isPresent() ? Verdict.Kind.NO_FILES : Verdict.Kind.ABSENT,
          files, expected.orElse(null), null);
    }
    if (expected.isEmpty()) {
      return new Verdict(Verdict.Kind.NO_CHECKSUM, files, null, null);
    }
    if (!DysnomiaChecksum.isWellFormed(expected.get())) {
      return new Verdict(Verdict.Kind.MALFORMED_CHECKSUM, files, expected.get(), null);
    }
    String computed = DysnomiaChecksum.compute(backend, StoreLayout.snapshotDir(snapshot), files);
    Verdict.Kind kind = computed.equals(expected.get()) ? Verdict.Kind.OK : Verdict.Kind.MISMATCH;
    return new Verdict(kind, files, expected.get(), computed);
  }

  /** Deletes a snapshot: its files first, then its checksum and metadata (Dysnomia's order). */
  void deleteSnapshot(SnapshotRef snapshot, List<ObjectInfo> files) throws IOException {
    for (ObjectInfo f : files) {
      backend.delete(f.key());
    }
    backend.delete(StoreLayout.checksum(snapshot));
    backend.delete(StoreLayout.meta(snapshot));
  }

  void writeSmall(Key key, byte[] bytes) throws IOException {
    try (ObjectWriter w = backend.create()) {
      w.output().write(bytes);
      w.commit(key);
    }
  }

  Optional<byte[]> readSmall(Key key) throws IOException {
    if (backend.stat(key).isEmpty()) {
      return Optional.empty();
    }
    try (InputStream in = backend.open(key)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return Optional.of(out.toByteArray());
    } catch (NotFoundException e) {
      return Optional.empty();  // deleted between stat and open
    }
  }

  @Override
  public void close() throws IOException {
    backend.close();
  }
}
