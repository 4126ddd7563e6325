/**
 * The store on a local filesystem, in Dysnomia's layout: {@link dev.stasis.fs.FsBackend} for
 * objects and generation symlinks, {@link dev.stasis.fs.FsLocks} for the store lock. Staging
 * lives in {@code .stasis/tmp/} on the same filesystem, so publishing is a rename.
 */
package dev.stasis.fs;
