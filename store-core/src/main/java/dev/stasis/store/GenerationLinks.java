package dev.stasis.store;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The generation links of a store: number to snapshot, per component. On a filesystem these
 * are Dysnomia's symlinks {@code generations/<container>/<component>/<N>}.
 */
public interface GenerationLinks {
  /** Every generation of every component in {@code scope}, in no particular order. */
  void list(Scope scope, Consumer<Generation> sink) throws IOException;

  /**
   * Creates {@code generation} atomically.
   *
   * @return false, changing nothing, when the component already has that number
   */
  boolean create(Generation generation) throws IOException;

  /** Removes {@code generation}'s link; a missing one is fine. */
  void delete(Generation generation) throws IOException;
}
