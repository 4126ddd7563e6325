package dev.stasis.modules.process;

import dev.stasis.modules.spi.Target;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service's client tool (psql, pg_dump, mariadb, svnadmin) run for a module: in a clean
 * environment (so a caller's {@code PGHOST} or {@code MYSQL_PWD} cannot redirect it), as the
 * service's OS user when stasis runs as root and the container says so (peer authentication,
 * as Dysnomia does), with secrets in the environment, never in argv.
 *
 * @param user the OS user to run as when root, or null for ourselves
 * @param secrets environment variables that carry credentials
 */
public record ClientTool(Target target, String user, Map<String, String> secrets) {
  /** util-linux's runuser, in sbin, which a caller's PATH may lack. */
  private static final String RUNUSER = Files.isExecutable(Path.of("/usr/sbin/runuser"))
      ? "/usr/sbin/runuser" : "runuser";

  /** The command, prefixed with {@code runuser -u USER --} when it must run as another user. */
  public List<String> command(List<String> command) {
    List<String> full = new ArrayList<>();
    if (switchesUser()) {
      full.addAll(List.of(RUNUSER, "-u", user, "--"));
    }
    full.addAll(command);
    return full;
  }

  private boolean switchesUser() {
    return user != null && !user.equals("root") && isRoot();
  }

  /**
   * Where the tool runs: our directory, unless it runs as another user, who may not enter it
   * (root's home, a 0700 temp dir) and whose tools would then complain that they cannot.
   */
  private Path cwd() {
    return switchesUser() ? Path.of("/") : target.host().cwd();
  }

  /** The environment: PATH, a neutral locale, and the secrets. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", target.host().searchPath());
    env.put("LC_ALL", "C.UTF-8");
    env.putAll(secrets);
    return env;
  }

  /** Starts the tool with its stdout read by the caller (a dump) and stdin empty. */
  public ChildProcess dumper(List<String> command, String description) throws IOException {
    return ChildProcess.dumper(command(command), environment(), cwd(), target.host().err(), description);
  }

  /** Starts the tool with stdin a pipe the caller writes (a restore) and stdout passed through to stderr. */
  public ChildProcess feeder(List<String> command, String description) throws IOException {
    return ChildProcess.start(command(command), environment(), cwd(), ChildProcess.Stdin.PIPE,
        target.host().err(), target.host().err(), description);
  }

  /**
   * Runs the tool to its end with {@code input} on stdin and returns its stdout.
   *
   * @throws dev.stasis.store.StoreException when it exits non-zero, quoting its stderr
   */
  public String run(List<String> command, String input, String description) throws IOException {
    return run(command, input, description, target.host().err());
  }

  /**
   * As {@link #run(List, String, String)}, its stderr going to {@code stderr} instead of ours
   * (an attempt whose expected failure the caller explains itself).
   */
  public String run(List<String> command, String input, String description, PrintStream stderr) throws IOException {
    try (ChildProcess p = ChildProcess.start(command(command), environment(), cwd(),
        ChildProcess.Stdin.PIPE, null, stderr, description)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> copy(p.stdout(), out), "stdout of " + description);
      reader.start();
      try (OutputStream in = p.stdin()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the tool exited before reading its input; its status and stderr tell why
      }
      p.requireSuccess();
      join(reader);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Whether this process runs as root, who may switch to a service's user. */
  public static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      // the process ended; its exit status tells the rest
    }
  }

  private static void join(Thread t) throws IOException {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
