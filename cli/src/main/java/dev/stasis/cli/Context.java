package dev.stasis.cli;

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

  /** A path argument, relative to the working directory. */
  Path path(String arg) {
    return cwd.resolve(arg).normalize();
  }
}
