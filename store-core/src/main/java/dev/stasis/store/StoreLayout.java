package dev.stasis.store;

/**
 * Where things live in a store: Dysnomia's layout, plus {@code .stasis/} for what only stasis
 * keeps.
 *
 * <pre>
 * snapshots/&lt;container&gt;/&lt;component&gt;/&lt;name&gt;/&lt;file&gt;
 * checksums/&lt;container&gt;/&lt;component&gt;/&lt;name&gt;      sha256:&lt;hex&gt;, no newline
 * generations/&lt;container&gt;/&lt;component&gt;/&lt;N&gt;     link to ../../../snapshots/&lt;c&gt;/&lt;comp&gt;/&lt;name&gt;
 * .stasis/meta/&lt;container&gt;/&lt;component&gt;/&lt;name&gt;  stasis metadata
 * .stasis/tmp/            staging of writers (on a filesystem: OS-locked while they live)
 * .stasis/lock            the store lock (OS record locks)
 * .stasis/owners/         who holds the store lock, for messages
 * .stasis/restore/        per-directory locks of restores beside and swaps
 * .stasis/secret          the store's random secret (0600)
 * .stasis/mysql-lock/     per container: the MySQL server's read_only before lock, and who holds the lock
 * .stasis/mirror/&lt;container&gt;/&lt;component&gt;  which source generation the newest mirrored generation came from
 * .stasis/deploy/         a coordinator's: the deployment lock and its owner, the last deployment, migrations done
 * .stasis/chunks/&lt;hh&gt;/&lt;sha256&gt;  the chunks of chunked snapshots, zstd, by the SHA-256 of their bytes ({@link Chunks})
 * </pre>
 *
 * <p>The names under {@code .stasis/} are spelled here and nowhere else; a filesystem backend
 * and the modules resolve these keys against the store's root ({@code root.resolve(key.path())}).
 */
public final class StoreLayout {
  public static final Key SNAPSHOTS = Key.of("snapshots");
  public static final Key CHECKSUMS = Key.of("checksums");
  public static final Key GENERATIONS = Key.of("generations");
  /** stasis's own directory, which Dysnomia's tools do not look into (a leading dot). */
  public static final Key STASIS = Key.of(".stasis");
  public static final Key META = STASIS.resolve("meta");
  public static final Key TMP = STASIS.resolve("tmp");
  public static final Key LOCK = STASIS.resolve("lock");
  public static final Key OWNERS = STASIS.resolve("owners");
  public static final Key RESTORE_LOCKS = STASIS.resolve("restore");
  public static final Key SECRET = STASIS.resolve("secret");
  public static final Key MYSQL_LOCKS = STASIS.resolve("mysql-lock");
  public static final Key MIRRORS = STASIS.resolve("mirror");
  /** A coordinator's deployment lock ({@code lock}, {@code owner}), last deployment and migration journal. */
  public static final Key DEPLOY = STASIS.resolve("deploy");
  /** The chunks of chunked snapshots, shared by every snapshot of the store that holds them. */
  public static final Key CHUNKS = STASIS.resolve("chunks");

  private StoreLayout() {}

  public static Key snapshotDir(SnapshotRef ref) {
    return components(SNAPSHOTS, ref.component()).resolve(ref.name().value());
  }

  public static Key snapshotFile(SnapshotRef ref, String file) {
    return snapshotDir(ref).resolve(Names.requireSafe(file, "snapshot file name"));
  }

  public static Key checksum(SnapshotRef ref) {
    return components(CHECKSUMS, ref.component()).resolve(ref.name().value());
  }

  public static Key meta(SnapshotRef ref) {
    return components(META, ref.component()).resolve(ref.name().value());
  }

  /** Where the chunk whose bytes hash to {@code sha256} (hex) is stored: fanned out by its first two digits. */
  public static Key chunk(String sha256) {
    if (!SnapshotId.isHex(sha256)) {
      throw new IllegalArgumentException("not a chunk's SHA-256: " + Names.printable(sha256));
    }
    return CHUNKS.resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  /** The record a mirror keeps at its destination for {@code component} ({@code MirrorRecord}). */
  public static Key mirrorRecord(ComponentRef component) {
    return components(MIRRORS, component);
  }

  /** {@code area/<container>/<component>}. */
  public static Key components(Key area, ComponentRef component) {
    return area.resolve(component.container()).resolve(component.component());
  }

  /** The snapshot a key in {@code area} belongs to, if it lies at least three levels deep. */
  static SnapshotRef snapshotOf(Key area, Key key) {
    String[] parts = key.relativeTo(area).split("/", 4);
    if (parts.length < 3) {
      return null;
    }
    try {
      return new SnapshotRef(new ComponentRef(parts[0], parts[1]), new SnapshotName(parts[2]));
    } catch (IllegalArgumentException e) {
      return null;  // a foreign name, such as a hidden file: not a snapshot of ours to judge
    }
  }
}
