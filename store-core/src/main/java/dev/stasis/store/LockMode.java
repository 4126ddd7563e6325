package dev.stasis.store;

/** How a store lock is held. */
public enum LockMode {
  /** Many holders: the commit-and-link step of an ingest or import. */
  SHARED,
  /** One holder: garbage collection and deletion. */
  EXCLUSIVE
}
