package dev.stasis.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * One in-process run of {@code stasis}, {@code dysnomia-snapshots} or {@code dysnomia} against the store at
 * {@code $DYSNOMIA_STATEDIR}: its exit code and what it printed.
 */
record CliRun(int code, byte[] stdout, String stderr) {
  static CliRun stasis(Path store, String... args) {
    return stasisWithInput(store, new byte[0], args);
  }

  /** {@code stasis ARGS} with {@code env} plus the store's DYSNOMIA_STATEDIR as its environment. */
  static CliRun stasisWithEnv(Path store, Map<String, String> env, String... args) {
    return run(store, env, new byte[0], ctx -> Cli.run(new StasisCommand(), ctx, args));
  }

  static CliRun stasisWithInput(Path store, byte[] stdin, String... args) {
    return run(store, stdin, ctx -> Cli.run(new StasisCommand(), ctx, args));
  }

  static CliRun dysnomiaSnapshots(Path store, String... args) {
    return run(store, new byte[0], ctx -> DysnomiaSnapshotsCommand.run(ctx, args));
  }

  /** {@code dysnomia ARGS} with {@code env} (search paths, PATH, ...) plus the store's DYSNOMIA_STATEDIR as its environment. */
  static CliRun dysnomia(Path store, Map<String, String> env, String... args) {
    return run(store, env, new byte[0], ctx -> DysnomiaCommand.run(ctx, args));
  }

  /**
   * {@code dysnomia ARGS} as {@link #dysnomia(Path, Map, String...)}, writing its stderr into
   * {@code err} as it comes, where a test on another thread can watch for a message while it runs.
   */
  static CliRun dysnomiaWatched(Path store, Map<String, String> env, ByteArrayOutputStream err, String... args) {
    return run(store, env, new byte[0], err, ctx -> DysnomiaCommand.run(ctx, args));
  }

  private static CliRun run(Path store, byte[] stdin, ToIntFunction<Context> command) {
    return run(store, Map.of(), stdin, command);
  }

  private static CliRun run(Path store, Map<String, String> env, byte[] stdin, ToIntFunction<Context> command) {
    return run(store, env, stdin, new ByteArrayOutputStream(), command);
  }

  private static CliRun run(Path store, Map<String, String> env, byte[] stdin, ByteArrayOutputStream err,
      ToIntFunction<Context> command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // a dumper's stderr arrives from another thread; PrintStream serializes the writers
    PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Map<String, String> environment = new HashMap<>(env);
    environment.put("DYSNOMIA_STATEDIR", store.toString());
    Context ctx = new Context(new ByteArrayInputStream(stdin), outStream, errStream,
        Map.copyOf(environment), store.getParent(), false);
    int code = command.applyAsInt(ctx);
    outStream.flush();
    errStream.flush();
    return new CliRun(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  String out() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  List<String> lines() {
    return out().lines().toList();
  }

  /** The one line printed on stdout, such as the path a snapshot prints. */
  String line() {
    List<String> lines = lines();
    if (lines.size() != 1) {
      throw new AssertionError("expected one line on stdout, got " + this);
    }
    return lines.get(0);
  }

  /** For assertion messages: everything the command said. */
  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out() + "--- stderr\n" + stderr;
  }
}
