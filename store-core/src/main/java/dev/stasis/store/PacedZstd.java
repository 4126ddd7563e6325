package dev.stasis.store;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;

/**
 * zstd whose level follows the stream's pace: when the compressor is what the ingest waits for
 * (chunks queue up in front of it), the next frames are compressed at a faster level, down to
 * {@link #FASTEST}; when it keeps up again, the level goes back up to the one asked for. A level
 * changes only between frames (the stream becomes several frames, which every zstd reader
 * reads as one), so the logical bytes, and so the snapshot's id, never depend on it; only the
 * stored size does.
 *
 * <p>For a live dump this keeps the dumper, and the database's snapshot it holds open, from
 * waiting on compression; a dump read from a file goes as fast as the cores compress.
 */
final class PacedZstd extends OutputStream {
  /** Chunks between two decisions (16 MiB): long enough to judge, short enough to follow a dump. */
  static final int WINDOW = 16;
  static final int FASTEST = 1;

  private final ZstdOutputStreamNoFinalizer zstd;
  private final int asked;
  private int level;
  private int seen;
  private int behind;
  private int frames = 1;

  PacedZstd(OutputStream out, int level) throws IOException {
    // a flush ends the frame: only this class flushes the stream, to change the level
    this.zstd = Compression.zstdStream(out, level).setCloseFrameOnFlush(true);
    this.asked = level;
    this.level = level;
  }

  /**
   * Told, for each chunk, whether more chunks were queued for the compressor behind it; at the
   * end of each {@link #WINDOW}, lowers the level when it was behind for most of the window and
   * raises it a step when it never was.
   */
  void paced(boolean queued) throws IOException {
    seen++;
    if (queued) {
      behind++;
    }
    if (seen < WINDOW) {
      return;
    }
    int next = level;
    if (behind * 4 >= seen * 3) {
      next = Math.max(Math.min(FASTEST, asked), level - 2);
    } else if (behind == 0) {
      next = Math.min(asked, level + 1);
    }
    seen = 0;
    behind = 0;
    if (next != level) {
      zstd.flush();  // ends the frame: its level is fixed
      zstd.setLevel(next);
      level = next;
      frames++;
    }
  }

  /** The level the next bytes are compressed at. */
  int level() {
    return level;
  }

  /** How many frames the stream has so far: one more after every change of level. */
  int frames() {
    return frames;
  }

  @Override
  public void write(int b) throws IOException {
    zstd.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    zstd.write(b, off, len);
  }

  @Override
  public void close() throws IOException {
    zstd.close();
  }
}
