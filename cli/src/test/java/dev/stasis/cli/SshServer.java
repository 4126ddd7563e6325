package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.process.ClientTool;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenSSH server for one test class, on 127.0.0.1 and a free port, with throwaway keys in
 * a directory of its own: its host key, a client key it accepts (and nothing else: no password,
 * no PAM), and a known_hosts file that trusts exactly its host key. The login is root's in CI
 * (what {@code PermitRootLogin prohibit-password} allows with a key), else the user running the
 * tests. Stopped after the class, with every session it started.
 *
 * <pre>{@code @RegisterExtension static final SshServer SSH = new SshServer();}</pre>
 */
final class SshServer implements BeforeAllCallback, AfterAllCallback {
  /** Only keeps a hung process from stalling the build; nothing waits for it to pass. */
  private static final long GUARD_SECONDS = 300;
  private static final Path SSHD = Path.of("/usr/sbin/sshd");
  private static final Pattern LISTENING = Pattern.compile("Server listening on 127\\.0\\.0\\.1 port (\\d+)\\.?");
  /** Put after sshd's last line; compared by identity, so no line sshd prints can be taken for it. */
  private static final String END = new String("end of sshd's output");

  private final String user = ClientTool.isRoot() ? "root" : System.getProperty("user.name");
  private final StringBuffer log = new StringBuffer();
  private Path dir;
  private Process sshd;
  private int port;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (!Files.isExecutable(SSHD)) {
      fail(SSHD + " is missing: install openssh-server (bin/test does)");
    }
    dir = Files.createTempDirectory(Path.of("/tmp"), "sshd");
    keygen(dir.resolve("host"), "stasis test host");
    keygen(dir.resolve("client"), "stasis test client");
    Files.copy(dir.resolve("client.pub"), dir.resolve("authorized_keys"));
    // sshd checks at start that its privilege separation directory exists (Debian makes it at boot)
    if (ClientTool.isRoot()) {
      Files.createDirectories(Path.of("/run/sshd"));
    }
    // A free port now may be taken before sshd binds it: then sshd says so and exits, and we pick another.
    for (int attempt = 1; sshd == null; attempt++) {
      start(freePort(), attempt == 5);
    }
    Files.writeString(knownHosts(), hostKeyLine());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (sshd != null) {
        // the sessions too: sshd -D leaves them running when it is killed
        List<ProcessHandle> all = sshd.descendants().toList();
        sshd.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        assertTrue(sshd.waitFor(GUARD_SECONDS, TimeUnit.SECONDS), "sshd survived kill -9");
        for (ProcessHandle p : all) {
          p.onExit().get(GUARD_SECONDS, TimeUnit.SECONDS);
        }
      }
    } finally {
      DurableFiles.deleteTree(dir);
    }
  }

  /** Where a deployment file's target reaches this server: {@code ssh://USER@127.0.0.1:PORT}. */
  String address() {
    return "ssh://" + user + "@127.0.0.1:" + port;
  }

  /** The port it listens on. */
  int port() {
    return port;
  }

  /** A deployment file's {@code ssh-options} for this server: the client key, this known_hosts file. */
  List<String> options() {
    return options(knownHosts());
  }

  /**
   * The {@code ssh-options} with {@code knownHosts} instead: the host keys ssh trusts. Neither the
   * machine's nor the user's ssh configuration is read ({@code -F none}) and no global known_hosts
   * file, so what is trusted is exactly what the test wrote.
   */
  List<String> options(Path knownHosts) {
    return List.of("-F", "none", "-i", dir.resolve("client").toString(), "-o", "IdentitiesOnly=yes",
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null");
  }

  /** The known_hosts file that trusts this server's host key. */
  Path knownHosts() {
    return dir.resolve("known_hosts");
  }

  /** This server's known_hosts line: {@code [127.0.0.1]:PORT ssh-ed25519 KEY}. */
  String hostKeyLine() throws IOException {
    return "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host.pub")).strip() + "\n";
  }

  /** A known_hosts line that names this server with another, freshly made key: a changed host key. */
  String wrongHostKeyLine() throws IOException, InterruptedException {
    Path other = dir.resolve("impostor");
    if (!Files.exists(other)) {
      keygen(other, "not the test host");
    }
    return "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("impostor.pub")).strip() + "\n";
  }

  /**
   * The processes of the sessions running now: sshd's children and what they run. Taken while a
   * session lives: once its sshd process ends, what ran in it is no longer sshd's descendant.
   */
  List<ProcessHandle> sessions() {
    return sshd.descendants().toList();
  }

  /**
   * Waits until {@code sessions} have ended: after the client side of a connection is gone, sshd
   * ends the session, and what ran in it finishes on its own time (an agent unlocks what it locked).
   */
  void awaitEnd(List<ProcessHandle> sessions) throws InterruptedException, ExecutionException {
    for (ProcessHandle p : sessions) {
      try {
        p.onExit().get(GUARD_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("a process of an ssh session still runs after " + GUARD_SECONDS + "s: " + p.info() + "\nsshd's log:\n"
            + log);
      }
    }
  }

  /**
   * Kills (-9) the one ssh client that {@code coordinator} runs, as a dropped connection would end
   * it, and returns the arguments it was started with.
   */
  static List<String> killClientOf(Launchers.Running coordinator) {
    List<ProcessHandle> ssh = ProcessHandle.of(coordinator.pid()).orElseThrow().children()
        .filter(p -> p.info().command().orElse("").endsWith("/ssh")).toList();
    assertEquals(1, ssh.size(), () -> "ssh clients of the coordinator: " + ssh);
    List<String> args = List.of(ssh.get(0).info().arguments().orElseThrow());
    ssh.get(0).destroyForcibly();
    return args;
  }

  /** What sshd logged so far (logins, refused connections). */
  String log() {
    return log.toString();
  }

  private void start(int candidate, boolean last) throws IOException, InterruptedException {
    Path config = dir.resolve("sshd_config");
    Files.writeString(config, String.join("\n",
        "ListenAddress 127.0.0.1",
        "Port " + candidate,
        "HostKey " + dir.resolve("host"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PidFile none",
        "UsePAM no",
        "StrictModes no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "PrintMotd no",
        "UseDNS no",
        // no AcceptEnv: the client's environment stays on the client
        ""));
    // sshd re-executes itself for each connection, which it can only by an absolute path
    Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          log.append(line).append('\n');
          lines.add(line);
        }
      } catch (IOException e) {
        // sshd is gone; its exit status tells the rest
      } finally {
        lines.add(END);
      }
    }, "sshd's output");
    pump.setDaemon(true);
    pump.start();
    while (true) {
      String line = lines.poll(GUARD_SECONDS, TimeUnit.SECONDS);
      if (line == null) {
        p.destroyForcibly();
        fail("sshd did not say it listens within " + GUARD_SECONDS + "s:\n" + log);
      }
      if (line == END) {
        p.waitFor();
        if (!last && log.toString().contains("Address already in use")) {
          return;  // taken in between: the caller tries another port
        }
        fail("sshd exited " + p.exitValue() + " before listening:\n" + log);
      }
      Matcher m = LISTENING.matcher(line);
      if (m.matches()) {
        assertEquals(candidate, Integer.parseInt(m.group(1)), line);
        port = candidate;
        sshd = p;
        return;
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** {@code ssh-keygen}: an ed25519 key pair, no passphrase, at {@code key} and {@code key.pub}. */
  private static void keygen(Path key, String comment) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key.toString())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("ssh-keygen did not end within " + GUARD_SECONDS + "s");
    }
    assertEquals(0, p.exitValue(), () -> "ssh-keygen failed: " + out.toString(StandardCharsets.UTF_8));
  }
}
