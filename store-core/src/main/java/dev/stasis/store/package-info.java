/**
 * The stasis engine: content-addressed snapshots of service state, kept as numbered
 * generations in a Dysnomia-compatible store.
 *
 * <dl>
 *   <dt>Container</dt>
 *   <dd>Where a component lives: a PostgreSQL server, a directory root. Named by the base
 *       name of its container file, or by its type.</dd>
 *   <dt>Component</dt>
 *   <dd>One unit of state inside a container: a database, a repository, a directory.</dd>
 *   <dt>Snapshot</dt>
 *   <dd>An immutable directory holding a component's state at one moment. Its name is
 *       opaque ({@link SnapshotName}); the name stasis gives is a {@link SnapshotId}, the
 *       SHA-256 of the logical (uncompressed) dump.</dd>
 *   <dt>Checksum</dt>
 *   <dd>{@code sha256:<hex>} over Dysnomia's serialization of the snapshot directory
 *       ({@link DysnomiaChecksum}); a snapshot is never visible without it.</dd>
 *   <dt>Generation</dt>
 *   <dd>A positive number per component pointing at a snapshot; a new one is made only
 *       when the newest points elsewhere ({@link Generation}).</dd>
 *   <dt>Backend</dt>
 *   <dd>Where the store's bytes live ({@link Backend}); the engine ({@link Store}) knows no
 *       particular backend.</dd>
 * </dl>
 */
package dev.stasis.store;
