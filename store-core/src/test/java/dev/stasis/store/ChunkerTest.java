package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  private static final int MIB = 1 << 20;

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < size; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < size; k++) {
        data[i + k] = (byte) (v >>> (8 * k));
      }
    }
    return data;
  }

  /** The chunk lengths of {@code data}, fed in pieces of the given sizes, round and round. */
  private static List<Integer> cuts(byte[] data, int... pieces) {
    Chunker chunker = new Chunker();
    List<Integer> lengths = new ArrayList<>();
    int current = 0;
    int at = 0;
    for (int p = 0; at < data.length; p++) {
      int len = Math.min(pieces[p % pieces.length], data.length - at);
      int off = at;
      at += len;
      while (len > 0) {
        int cut = chunker.scan(data, off, len);
        if (cut < 0) {
          current += len;
          break;
        }
        lengths.add(current + cut);
        current = 0;
        off += cut;
        len -= cut;
      }
    }
    if (current > 0) {
      lengths.add(current);
    }
    return lengths;
  }

  private static List<String> hashes(byte[] data, List<Integer> lengths) {
    List<String> out = new ArrayList<>();
    int at = 0;
    for (int len : lengths) {
      out.add(HexFormat.of().formatHex(DysnomiaChecksum.sha256().digest(Arrays.copyOfRange(data, at, at + len))));
      at += len;
    }
    return out;
  }

  @Test
  void everyChunkButTheLastIsBetweenTheBoundsAndTheyAverageNearTwoMebibytes() {
    byte[] data = random(96 * MIB, 1);
    List<Integer> lengths = cuts(data, MIB);
    assertEquals(data.length, lengths.stream().mapToLong(Integer::longValue).sum());
    for (int len : lengths.subList(0, lengths.size() - 1)) {
      assertTrue(len >= Chunker.MIN && len <= Chunker.MAX, "chunk of " + len + " bytes");
    }
    double average = (double) data.length / lengths.size();
    assertTrue(average > 1.2 * MIB && average < 3.2 * MIB, "average " + average);
  }

  @Test
  void theCutsDoNotDependOnHowTheStreamIsWritten() {
    byte[] data = random(24 * MIB, 2);
    List<Integer> whole = cuts(data, data.length);
    assertEquals(whole, cuts(data, MIB));
    assertEquals(whole, cuts(data, 1, 7, 4096, 65_537, 3 * MIB + 5));
  }

  /**
   * The cuts of a fixed stream, pinned: the gear table and the masks decide where every stream is
   * cut, so a change to them would leave every chunk stored before unmatched (nothing is lost,
   * but nothing deduplicates against older generations). Change these only with a new index
   * version.
   */
  @Test
  void theCutsOfAFixedStreamAreTheOnesPinnedHere() {
    byte[] data = random(32 * MIB, 2026);
    assertEquals(List.of(PINNED), cuts(data, MIB));
  }

  private static final Integer[] PINNED = {2896991, 875462, 2292177, 1630656, 804245, 2262328, 940153, 1059893,
    2512600, 1322201, 1650814, 2779841, 2384973, 4097093, 931117, 1223120, 2247272, 1291387, 352109};

  @Test
  void anInsertionNearTheStartChangesOnlyTheChunksAroundIt() {
    byte[] data = random(64 * MIB, 3);
    byte[] inserted = new byte[data.length + 100];
    System.arraycopy(data, 0, inserted, 0, 1000);
    System.arraycopy(random(100, 4), 0, inserted, 1000, 100);
    System.arraycopy(data, 1000, inserted, 1100, data.length - 1000);
    byte[] deleted = new byte[data.length - 100];
    System.arraycopy(data, 0, deleted, 0, 600_000);
    System.arraycopy(data, 600_100, deleted, 600_000, data.length - 600_100);

    Set<String> before = new HashSet<>(hashes(data, cuts(data, MIB)));
    for (byte[] changed : List.of(inserted, deleted)) {
      List<String> after = hashes(changed, cuts(changed, MIB));
      long fresh = after.stream().filter(h -> !before.contains(h)).count();
      assertTrue(fresh >= 1 && fresh <= 2, fresh + " of " + after.size() + " chunks changed");
    }
  }

  @Test
  void aStreamWithoutCutPointsIsCutAtTheLargestChunk() {
    byte[] zeros = new byte[20 * MIB];
    List<Integer> lengths = cuts(zeros, MIB);
    for (int len : lengths.subList(0, lengths.size() - 1)) {
      assertTrue(len == Chunker.MIN || len == Chunker.MAX, "chunk of " + len + " bytes");
    }
    assertEquals(zeros.length, lengths.stream().mapToInt(Integer::intValue).sum());
  }
}
