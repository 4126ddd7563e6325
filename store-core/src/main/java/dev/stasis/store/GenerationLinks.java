package dev.stasis.store;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The generation links of a store: number to snapshot, per component. On a filesystem these
 * are Dysnomia's symlinks {@code generations/<container>/<component>/<N>}.
 */
public interface GenerationLinks {
  /** Every generation of every component in {@code scope}, in no particular order. */
  void list(Scope scope, Consumer<Generation> sink) throws IOException;

  /**
   * The numbered entries in {@code scope} that are not links into their own component's
   * snapshots ({@link StrayLink}), in no particular order. Backends whose generations are not
   * links (S3 keys carry the snapshot's name) have none.
   */
  default void strays(Scope scope, Consumer<StrayLink> sink) throws IOException {}

  /**
   * Creates {@code generation} atomically.
   *
   * @return false, changing nothing, when the component already has that number
   */
  boolean create(Generation generation) throws IOException;

  /** Removes {@code generation}'s link; a missing one is fine. Durable when it returns. */
  void delete(Generation generation) throws IOException;

  /** Removes every link of {@code generations}, as {@link Backend#deleteAll(List)} does objects. */
  default void deleteAll(List<Generation> generations) throws IOException {
    for (Generation g : generations) {
      delete(g);
    }
  }
}
