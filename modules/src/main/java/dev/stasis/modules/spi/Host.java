package dev.stasis.modules.spi;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a module may touch of the machine it runs on: where its messages go, the environment it
 * was started with, the working directory, and the store's local directory. Modules never read
 * {@code System.*}, so tests run them in-process.
 *
 * @param out where a module's own output goes (the echo module's lines, a Dysnomia module's stdout)
 * @param err where messages, warnings and the tools' stderr go
 * @param stateDir the store's local directory, which Dysnomia's modules know as
 *     {@code $DYSNOMIA_STATEDIR}: the store itself, or for a store on S3 a local directory; it
 *     holds the deployment markers, restore locks and the store's secret
 * @param program the command that runs the module ({@code stasis}, {@code dysnomia}): the
 *     prefix of its messages
 * @param verbose whether to tell more ({@code --verbose}): see {@link #detail(String)}
 */
public record Host(PrintStream out, PrintStream err, Map<String, String> env, Path cwd, Path stateDir,
    String program, boolean verbose) {
  public Host {
    env = Map.copyOf(env);
  }

  /** A path argument or property, relative to the working directory. */
  public Path path(String arg) {
    return cwd.resolve(arg).normalize();
  }

  /** A message on stderr, as {@code program: message}. */
  public void say(String message) {
    err.println(program + ": " + message);
  }

  /** A message only {@code --verbose} shows: where things are, what is being done. */
  public void detail(String message) {
    if (verbose) {
      say(message);
    }
  }

  /** This host with one environment variable set. */
  public Host withEnv(String key, String value) {
    Map<String, String> copy = new HashMap<>(env);
    copy.put(key, value);
    return new Host(out, err, copy, cwd, stateDir, program, verbose);
  }

  /** {@code $PATH}, or the usual directories when it is unset. */
  public String searchPath() {
    return env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
  }
}
