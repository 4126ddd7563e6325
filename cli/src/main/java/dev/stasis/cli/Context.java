package dev.stasis.cli;

import dev.stasis.modules.spi.Host;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of its process: standard streams, environment and working
 * directory. Commands never read {@code System.*} themselves, so tests run them in-process.
 *
 * @param stderrIsTerminal whether progress lines may be drawn on stderr
 */
record Context(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd,
    boolean stderrIsTerminal) {

  /**
   * Stands for stdin when the process was started with fd 0 closed: reading it as a dump is a
   * usage error, not the bytes of whatever file landed there.
   */
  static final InputStream CLOSED_STDIN = InputStream.nullInputStream();

  /** The process's own streams and environment; {@code -Dstasis.stderr.tty=true} marks a terminal. */
  static Context system() {
    InputStream in = stdinClosed() ? CLOSED_STDIN : System.in;
    return new Context(in, System.out, System.err, System.getenv(),
        Path.of("").toAbsolutePath(), Boolean.getBoolean("stasis.stderr.tty"));
  }

  /**
   * Whether fd 0 was closed when the process started. The launcher finds out and says so
   * ({@code -Dstasis.stdin=closed}, with {@code /dev/null} on fd 0); started without it, the
   * JVM's first opened file took fd 0, and that is one of the JDK's own ({@code lib/modules}).
   */
  private static boolean stdinClosed() {
    if ("closed".equals(System.getProperty("stasis.stdin"))) {
      return true;
    }
    try {
      Path fd0 = Files.readSymbolicLink(Path.of("/proc/self/fd/0"));
      return fd0.startsWith(Path.of(System.getProperty("java.home")).toRealPath());
    } catch (IOException | RuntimeException e) {
      return false;  // no /proc: only the launcher's word counts
    }
  }

  /** This context with one environment variable set. */
  Context withEnv(String key, String value) {
    Map<String, String> copy = new java.util.HashMap<>(env);
    copy.put(key, value);
    return new Context(in, out, err, Map.copyOf(copy), cwd, stderrIsTerminal);
  }

  /**
   * What a module may touch of this process: its streams, environment and working directory,
   * and the store's local directory.
   *
   * @param program the command's name, the prefix of every message
   */
  Host host(Path stateDir, String program, boolean verbose) {
    return new Host(out, err, env, cwd, stateDir, program, verbose);
  }

  /** A path argument, relative to the working directory. */
  Path path(String arg) {
    return cwd.resolve(arg).normalize();
  }
}
