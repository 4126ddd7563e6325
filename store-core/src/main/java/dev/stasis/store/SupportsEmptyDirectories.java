package dev.stasis.store;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link Backend} with directories, which can be left without objects: on a filesystem, a gc
 * killed between unlinking a snapshot's last file and removing its directory leaves an empty
 * snapshot directory. {@link Backend#list} shows objects only, so nothing else would see it, but
 * the real Dysnomia's {@code --print-missing} takes it for a present snapshot. gc removes such
 * directories and check reports them. (S3 has no directories, and needs none of this.)
 */
public interface SupportsEmptyDirectories {
  /** Every directory exactly {@code depth} levels below {@code prefix} that holds no object at any depth. */
  void emptyDirectories(Key prefix, int depth, Consumer<Key> sink) throws IOException;

  /**
   * Removes each of {@code dirs} that still holds no object, with the directories inside it and
   * the parents it leaves empty; durable when it returns.
   */
  void deleteEmptyDirectories(List<Key> dirs) throws IOException;
}
