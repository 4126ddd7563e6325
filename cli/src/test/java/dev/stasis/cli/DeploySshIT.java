package dev.stasis.cli;

import static dev.stasis.cli.DeploymentFile.HERE;
import static dev.stasis.cli.DeploymentFile.THERE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stasis deploy} over ssh, end to end: {@code bin/stasis} as the coordinator, a real sshd
 * on 127.0.0.1 ({@link SshServer}) and {@code bin/stasis deploy agent} run by it on the target
 * {@code there}, next to the {@code local} target {@code here}; directory services. Snapshots
 * reach the coordinator once, migrations move files both ways unchanged, an unknown or changed
 * host key and a missing stasis on the target fail before anything changes, and a channel that
 * dies half-way through a migration loses nothing and a rerun finishes it.
 */
class DeploySshIT {
  @RegisterExtension
  static final SshServer SSH = new SshServer();
  /** How many bytes a dying channel passes: past the requests, well inside the snapshot's bytes. */
  private static final int PASSED = 256 << 10;

  @TempDir
  Path tmp;

  private Path coordinator;
  private Launchers bin;
  private DeploymentFile files;

  @BeforeEach
  void setUp() {
    coordinator = tmp.resolve("coordinator");
    bin = new Launchers(coordinator);
    files = new DeploymentFile(tmp, SSH);
  }

  @Test
  void aSnapshotOnTheSshTargetReachesTheCoordinatorOnce() throws Exception {
    Trees.sample(files.data(THERE, "www"));
    Trees.file(files.data(HERE, "notes"), "a.txt", "kept here\n");
    Path d = files.write("d.toml", "www=there", "notes=here");

    Result first = deploy("snapshot", "-f", d.toString(), "--json").ok();
    List<Map<String, Object>> rows = JsonReader.arrayOfObjects(first.out());
    assertEquals(List.of("www", "notes"), rows.stream().map(r -> r.get("subject")).toList(), first.out());
    assertEquals(List.of("done", "done"), rows.stream().map(r -> r.get("status")).toList(), first.out());
    assertEquals("generation 1 on there, sent to the coordinator", rows.get(0).get("detail"));
    String www = (String) rows.get(0).get("snapshot");
    assertTrue(www.matches("directory/www/[0-9a-f]{64}"), www);

    // The target made it in its own store, and the coordinator holds the same bytes, checked.
    Path there = files.store(THERE).resolve("snapshots").resolve(www);
    Path here = coordinator.resolve("snapshots").resolve(www);
    assertEquals(List.of("state.tar.zst"), DysnomiaHost.names(there));
    assertEquals(-1L, Files.mismatch(there.resolve("state.tar.zst"), here.resolve("state.tar.zst")));
    List<String> listed = bin.stasis("list", "--store", coordinator.toString()).ok().lines();
    assertEquals(2, listed.size(), listed.toString());
    assertTrue(listed.stream().anyMatch(l -> l.matches("directory/www +1 +" + www.substring(14) + " .*")),
        listed.toString());
    assertTrue(bin.stasis("check", "--store", coordinator.toString()).ok().stderr()
        .contains("checked 2 snapshot(s): all good"));
    assertEquals(List.of("directory/www 1 " + www.substring(14)), listOf(files.store(THERE)));

    // Nothing changed: the same snapshot, which the coordinator has, so nothing is sent.
    List<String> committed = Launchers.committed(coordinator);
    long sentAt = Files.getLastModifiedTime(here.resolve("state.tar.zst")).toMillis();
    Result again = deploy("snapshot", "-f", d.toString(), "--service", "www").ok();
    assertEquals(List.of("www\tsnapshot\tunchanged\tgeneration 1 on there, the coordinator has it"), again.lines());
    assertEquals(committed, Launchers.committed(coordinator));
    assertEquals(sentAt, Files.getLastModifiedTime(here.resolve("state.tar.zst")).toMillis());
  }

  @Test
  void aMigrationMovesFilesBothWaysOverSshAndDeletesTheOldStateOnlyWhenAsked() throws Exception {
    Path www = sampleWithModes(files.data(HERE, "www"));
    Path docs = files.data(THERE, "docs");
    Trees.file(docs, "guide/intro.txt", "read me\n");
    Trees.file(docs, "secret.key", "not for others\n");
    Files.setPosixFilePermissions(docs.resolve("secret.key"), PosixFilePermissions.fromString("rw-------"));
    Trees.fixTimes(docs);
    SortedMap<String, String> wwwBefore = Trees.describe(www);
    SortedMap<String, String> docsBefore = Trees.describe(docs);
    Path old = files.write("old.toml", "www=here", "docs=there");
    Path now = files.write("new.toml", "www=there", "docs=here");

    Result moved = deploy("migrate", "--from", old.toString(), "--to", now.toString()).ok();
    assertEquals(List.of("www\tmigrate\tdone\there -> there, old state kept on here",
        "docs\tmigrate\tdone\tthere -> here, old state kept on there"), moved.lines(), moved.stderr());
    assertEquals(wwwBefore, Trees.describe(files.data(THERE, "www")), "www on there");
    assertEquals(docsBefore, Trees.describe(files.data(HERE, "docs")), "docs on here");
    assertEquals(wwwBefore, Trees.describe(www), "the old state is kept without --delete-state");
    assertEquals(docsBefore, Trees.describe(docs), "the old state is kept without --delete-state");

    Result deleting = deploy("migrate", "--from", old.toString(), "--to", now.toString(), "--delete-state").ok();
    assertEquals(List.of("www\tmigrate\tdone\there -> there, old state deleted on here",
        "docs\tmigrate\tdone\tthere -> here, old state deleted on there"), deleting.lines(), deleting.stderr());
    assertFalse(Files.exists(www), "--delete-state left www on here");
    assertFalse(Files.exists(docs), "--delete-state left docs on there");
    assertEquals(wwwBefore, Trees.describe(files.data(THERE, "www")));
    assertEquals(docsBefore, Trees.describe(files.data(HERE, "docs")));
    bin.stasis("check", "--store", files.store(THERE).toString()).ok();
  }

  @Test
  void anUnknownHostKeyFailsTheConnectionAndNothingChanges() throws Exception {
    SortedMap<String, String> before = Trees.describe(Trees.sample(files.data(THERE, "www")));
    Path empty = Files.createFile(tmp.resolve("known_hosts.empty"));
    files.sshOptions = SSH.options(empty);
    Path d = files.write("d.toml", "www=there");

    Result r = deploy("snapshot", "-f", d.toString()).exits(1);
    assertTrue(r.stderr().contains("[target there] Host key verification failed."), r.stderr());
    assertTrue(r.stderr().contains("stasis: www: on there: cannot reach target there at " + SSH.address()
        + ": ssh exited with 255 (connection, authentication or host key"), r.stderr());
    assertEquals("", Files.readString(empty), "ssh wrote to known_hosts");
    assertNothingStored();
    assertEquals(before, Trees.describe(files.data(THERE, "www")));
  }

  @Test
  void aChangedHostKeyFailsTheMigrationAndTheSourceIsKept() throws Exception {
    SortedMap<String, String> before = Trees.describe(Trees.sample(files.data(HERE, "www")));
    Path impostor = tmp.resolve("known_hosts.impostor");
    Files.writeString(impostor, SSH.wrongHostKeyLine());
    files.sshOptions = SSH.options(impostor);
    Path old = files.write("old.toml", "www=here");
    Path now = files.write("new.toml", "www=there");

    Result r = deploy("migrate", "--from", old.toString(), "--to", now.toString(), "--delete-state").exits(1);
    assertTrue(r.stderr().contains("[target there] @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!"),
        r.stderr());
    assertTrue(r.stderr().contains("[target there] Host key verification failed."), r.stderr());
    assertTrue(r.out().startsWith("www\tmigrate\tfailed\there -> there: connect to there failed: cannot reach"
        + " target there at " + SSH.address()), r.out());
    assertFalse(Files.exists(files.store(HERE)), "the new target is reached before anything is snapshotted");
    assertEquals(before, Trees.describe(files.data(HERE, "www")), "the source changed, or was deleted");
    assertFalse(Files.exists(files.data(THERE, "www")));
    assertFalse(Files.exists(files.store(THERE)), "something was written on there");
  }

  @Test
  void aTargetWithoutStasisAtItsCommandIsAClearError() throws Exception {
    SortedMap<String, String> before = Trees.describe(Trees.sample(files.data(THERE, "www")));
    files.stasis = tmp.resolve("no/such/stasis").toString();
    Path d = files.write("d.toml", "www=there");

    Result r = deploy("snapshot", "-f", d.toString()).exits(1);
    assertTrue(r.stderr().contains(files.stasis + ": No such file or directory"), r.stderr());
    assertTrue(r.stderr().contains("stasis: www: on there: cannot reach target there at " + SSH.address()
        + ": ssh exited with 127 (no stasis there? see its stasis= setting"), r.stderr());
    assertNothingStored();
    assertEquals(before, Trees.describe(files.data(THERE, "www")));
  }

  /** The channel to the receiving target passes the first bytes of the snapshot, then holds; then ssh is killed. */
  @Test
  void aChannelThatDiesWhileTheTargetReceivesLosesNothingAndARerunFinishes() throws Exception {
    channelDies(HERE, THERE, DeploymentFile.Cut.REQUESTS);
  }

  /** The channel from the sending target passes the first bytes of the snapshot, then holds; then ssh is killed. */
  @Test
  void aChannelThatDiesWhileTheTargetSendsLosesNothingAndARerunFinishes() throws Exception {
    channelDies(THERE, HERE, DeploymentFile.Cut.ANSWERS);
  }

  /**
   * Migrates a service {@code from} → {@code to} with {@code there}'s channel cut as {@code cut}
   * says, kills the ssh client once the channel holds, and checks the migration failed, left the
   * source as it was (even with --delete-state), and that a rerun with the real stasis moves it.
   */
  private void channelDies(String from, String to, DeploymentFile.Cut cut) throws Exception {
    Path source = sampleWithModes(files.data(from, "www"));
    byte[] noise = new byte[2 << 20];
    new Random(13).nextBytes(noise);  // incompressible: the snapshot stays far larger than PASSED
    Files.write(source.resolve("noise.bin"), noise);
    Files.setLastModifiedTime(source.resolve("noise.bin"), Trees.MTIME);
    Trees.fixTimes(source);
    SortedMap<String, String> before = Trees.describe(source);
    Path old = files.write("old.toml", "www=" + from);
    Path now = files.write("new.toml", "www=" + to);
    String real = files.stasis;
    // both files: the source is reached as the old deployment says, the destination as the new one
    files.stasis = files.dyingStasis(cut, PASSED);
    Path oldDying = files.write("old-dying.toml", "www=" + from);
    Path nowDying = files.write("new-dying.toml", "www=" + to);

    Result failed;
    List<ProcessHandle> sessions;
    try (Running migrate = bin.start(Launchers.launcher("stasis", "deploy", "migrate", "--from", oldDying.toString(),
        "--to", nowDying.toString(), "--store", coordinator.toString(), "--delete-state"))) {
      migrate.stdin().close();
      migrate.awaitStderr("[target there] " + DeploymentFile.HELD);
      sessions = SSH.sessions();
      List<String> args = SSH.killClientOf(migrate);
      // What stasis ran: ssh that asks nothing (BatchMode), checking the host key as the options say.
      assertEquals(List.of("-o", "BatchMode=yes", "-p", Integer.toString(SSH.port())), args.subList(0, 4),
          args.toString());
      assertEquals(SSH.options(), args.subList(4, 4 + SSH.options().size()), args.toString());
      assertTrue(args.stream().noneMatch(a -> a.toLowerCase(Locale.ROOT).contains("stricthostkeychecking")),
          args.toString());
      failed = migrate.finish();
    }
    failed.exits(1);
    assertTrue(failed.out().startsWith("www\tmigrate\tfailed\t" + from + " -> " + to + ": send to "),
        () -> failed.out() + failed.stderr());
    assertTrue(failed.out().contains("lost the connection to the stasis agent on target there"),
        () -> failed.out() + failed.stderr());
    // The source was locked over the channel that died: the coordinator cannot unlock it, and says so.
    assertTrue(failed.out().contains(from.equals(THERE) ? "nothing deleted; the unlock on there failed: the agent"
        + " of an ssh target unlocks it as its channel ends" : "nothing deleted, here unlocked"),
        () -> failed.out() + failed.stderr());
    SSH.awaitEnd(sessions);
    assertEquals(before, Trees.describe(source), "the source changed, or was deleted despite the failure");
    assertFalse(Files.exists(files.data(to, "www")), "a restore happened on " + to);
    assertEquals(List.of(), listOf(files.store(to)), "a generation on " + to);
    if (from.equals(THERE)) {
      assertEquals(List.of(), Launchers.committed(coordinator), "the coordinator kept a half-sent snapshot");
    }

    files.stasis = real;
    Result rerun = deploy("migrate", "--from", old.toString(), "--to", now.toString(), "--delete-state").ok();
    assertEquals(List.of("www\tmigrate\tdone\t" + from + " -> " + to + ", old state deleted on " + from),
        rerun.lines(), rerun.stderr());
    assertEquals(before, Trees.describe(files.data(to, "www")));
    assertFalse(Files.exists(source), "--delete-state kept the source after the rerun");
    bin.stasis("check", "--store", files.store(to).toString()).ok();
    bin.stasis("check", "--store", coordinator.toString()).ok();
  }

  private Result deploy(String command, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("deploy", command, "--store", coordinator.toString()));
    all.addAll(List.of(args));
    return bin.stasis(all.toArray(String[]::new));
  }

  /** {@code stasis list} of a store as {@code container/component generation id} lines; none if it is missing. */
  private List<String> listOf(Path store) throws Exception {
    if (!Files.exists(store)) {
      return List.of();
    }
    return bin.stasis("list", "--store", store.toString()).ok().lines().stream()
        .map(l -> String.join(" ", List.of(l.split(" +")).subList(0, 3))).toList();
  }

  /** Neither the coordinator nor the target {@code there} has a snapshot. */
  private void assertNothingStored() throws IOException {
    assertEquals(List.of(), Launchers.committed(coordinator), "something reached the coordinator");
    assertEquals(List.of(), Launchers.committed(files.store(THERE)), "something was stored on there");
  }

  /** {@link Trees#sample} plus a file only its owner may read, all mtimes fixed. */
  private static Path sampleWithModes(Path dir) throws IOException {
    Trees.sample(dir);
    Trees.file(dir, "private/key.pem", "-----not a real key-----\n");
    Files.setPosixFilePermissions(dir.resolve("private/key.pem"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(dir.resolve("private"), PosixFilePermissions.fromString("rwx------"));
    Trees.fixTimes(dir);
    return dir;
  }
}
