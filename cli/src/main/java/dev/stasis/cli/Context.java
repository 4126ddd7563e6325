package dev.stasis.cli;

import dev.stasis.modules.spi.Host;
import java.io.InputStream;
import java.io.PrintStream;
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

  /** The process's own streams and environment; {@code -Dstasis.stderr.tty=true} marks a terminal. */
  static Context system() {
    return new Context(System.in, System.out, System.err, System.getenv(),
        Path.of("").toAbsolutePath(), Boolean.getBoolean("stasis.stderr.tty"));
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
