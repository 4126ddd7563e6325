/**
 * The command-line faces of stasis: {@code stasis}, {@code dysnomia-snapshots} (and later
 * {@code dysnomia}), picocli commands that call the engine in {@code dev.stasis.store}. This
 * is the only place that picks a backend and wires a store.
 */
package dev.stasis.cli;
