package dev.stasis.store;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The system's {@code xz} as a child process: liblzma on several threads is about four times as fast as xz-java on one. */
final class SystemXz extends XzEncoder {
  private static final int STDERR_KEPT = 4096;

  private final Process process;
  private final OutputStream stdin;
  private final Thread drain;
  private volatile Throwable drainFailure;
  private volatile String stderr = "";

  private SystemXz(Process process, OutputStream target) {
    super(target);
    this.process = process;
    this.stdin = process.getOutputStream();
    this.drain = new Thread(this::drain, "stasis-xz-output");
    drain.setDaemon(true);
    drain.start();
  }

  /**
   * The first executable {@code xz} in the directories of {@code searchPath} (PATH's syntax),
   * if it is XZ Utils 5.2 or later (the first with threads); not busybox's, which cannot compress.
   */
  static Optional<Path> find(String searchPath) {
    return onPath(searchPath).filter(SystemXz::threaded);
  }

  private static Optional<Path> onPath(String searchPath) {
    if (searchPath == null) {
      return Optional.empty();
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;  // the working directory: not a place to pick a compressor from
      }
      try {
        Path xz = Path.of(dir, "xz");
        if (Files.isRegularFile(xz) && Files.isExecutable(xz)) {
          return Optional.of(xz);
        }
      } catch (InvalidPathException e) {
        // not a directory name: skip it, as a shell would
      }
    }
    return Optional.empty();
  }

  /** Whether {@code xz --robot --version} says XZ Utils 5.2.0 or later. */
  private static boolean threaded(Path xz) {
    try {
      Process version = command(xz, "--robot", "--version").redirectErrorStream(true).start();
      version.getOutputStream().close();
      String out;
      try (InputStream in = version.getInputStream()) {
        out = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        in.transferTo(OutputStream.nullOutputStream());
      }
      Matcher number = Pattern.compile("(?m)^XZ_VERSION=(\\d{8,})$").matcher(out);
      return version.waitFor() == 0 && number.find() && Long.parseLong(number.group(1)) >= 50020000L;
    } catch (IOException | NumberFormatException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code xz} with {@code args}, without the options its environment variables would add. */
  private static ProcessBuilder command(Path xz, String... args) {
    List<String> command = new ArrayList<>();
    command.add(xz.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    // xz reads options from these: a user's XZ_OPT=-9 must not change what stasis stores
    builder.environment().remove("XZ_DEFAULTS");
    builder.environment().remove("XZ_OPT");
    return builder;
  }

  /**
   * Starts {@code xz} compressing into {@code target} at {@code level}, in blocks of
   * {@code blockSize} bytes on {@code threads} threads. The threads only share the work: with
   * the block size fixed, the output is the same for any thread count.
   */
  static SystemXz start(Path xz, OutputStream target, int level, long blockSize, int threads) throws IOException {
    ProcessBuilder builder = command(xz, "--compress", "--stdout", "--format=xz", "--check=crc64",
        "-" + level, "--block-size=" + blockSize,
        // 2 or more, never 1: one thread is xz's single-threaded encoder, whose output differs
        "--threads=" + Math.max(2, threads),
        // a memory limit may cut threads but never switch encoders; warnings are not failures
        "--no-adjust", "--no-warn");
    return new SystemXz(builder.start(), target);
  }

  /** The child's process id, for diagnostics and tests. */
  long pid() {
    return process.pid();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    requireOpen();
    if (drainFailure != null) {
      throw fail(null);
    }
    try {
      stdin.write(b, off, len);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /** Ends the input and waits for xz; throws unless xz exited 0 and all its output reached the target. */
  @Override
  void finish() throws IOException {
    try {
      stdin.close();  // end of input: xz compresses the last block and exits
      awaitEnd(false);
    } catch (IOException e) {
      throw fail(e);
    }
    if (drainFailure != null || process.exitValue() != 0) {
      throw fail(null);
    }
  }

  /**
   * Stops xz after {@code cause} (null: xz exited non-zero or its output failed) and returns
   * what to throw: the target's own failure when there is one, else what xz said.
   */
  private IOException fail(IOException cause) throws IOException {
    state = State.FAILED;
    stop();
    Throwable drained = drainFailure;
    if (drained != null) {
      if (cause != null && cause != drained) {
        drained.addSuppressed(cause);
      }
      failure = drained;
      if (drained instanceof RuntimeException e) {
        throw e;
      } else if (drained instanceof Error e) {
        throw e;
      }
      return (IOException) drained;
    }
    if (cause instanceof InterruptedIOException) {
      failure = cause;
      return cause;
    }
    int status = process.exitValue();
    String how = status > 128 ? "was killed by signal " + (status - 128)
        : status == 0 ? "did not take all the input" : "exited with status " + status;
    IOException e = new IOException("xz " + how + (stderr.isBlank() ? "" : ": " + stderr.strip()), cause);
    failure = e;
    return e;
  }

  /** Kills xz if it still runs and waits until it and the output thread are gone. */
  @Override
  void stop() {
    kill();
    try {
      stdin.close();
    } catch (IOException e) {
      // a broken pipe to a dead process: nothing to release
    }
    try {
      awaitEnd(true);
    } catch (InterruptedIOException e) {
      throw new AssertionError(e);  // an uninterruptible wait does not throw
    }
  }

  /**
   * Waits for the output thread and xz to end. If interrupted, an interruptible wait kills xz,
   * still waits for the short remainder and throws; the other keeps the interrupt for later.
   */
  private void awaitEnd(boolean uninterruptible) throws InterruptedIOException {
    boolean interrupted = false;
    while (true) {
      try {
        drain.join();
        process.waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        kill();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      if (!uninterruptible) {
        throw new InterruptedIOException("interrupted while xz was compressing");
      }
    }
  }

  /** Copies xz's output to the target; on the target's failure, kills xz so a writer blocked on the pipe gets an error. */
  private void drain() {
    byte[] buffer = new byte[1 << 17];
    try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
      try {
        for (int n; (n = out.read(buffer)) >= 0; ) {
          target.write(buffer, 0, n);
        }
      } catch (IOException | RuntimeException | Error e) {
        drainFailure = e;
        kill();
      }
      // read only after stdout ends: xz writes a line or two there, far less than a pipe holds
      stderr = new String(err.readNBytes(STDERR_KEPT), StandardCharsets.UTF_8);
      err.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // stderr unreadable: the exit status still decides
    }
  }

  /**
   * Sends xz SIGKILL. Through its handle: {@link Process#destroyForcibly()} would also close the
   * pipes under the output thread, which would then fail reading instead of meeting the end.
   */
  private void kill() {
    process.toHandle().destroyForcibly();
  }
}
