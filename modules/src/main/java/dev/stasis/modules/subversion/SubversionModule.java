package dev.stasis.modules.subversion;

import dev.stasis.modules.files.DirectorySwap;
import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.process.ClientTool;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.DumpSink;
import dev.stasis.store.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code subversion-repository} type: one repository per component,
 * {@code <svnBaseDir>/<component name>}, optionally given to {@code svnGroup} (group-writable,
 * as Dysnomia does).
 *
 * <p>Snapshots are {@code svnadmin dump} output, deterministic for an unchanged repository (it
 * holds the repository's UUID and each revision's properties, no dump time). The dump's logical
 * name is {@code dump}, as in Dysnomia's {@code dump.xz}, so snapshots the real Dysnomia made
 * (named by revision number) restore too. A restore loads into a fresh repository beside the
 * live one and swaps it in ({@link DirectorySwap}); a failed load leaves the live one as it was.
 * A dump holds revisions only, so the live repository's {@code hooks/} and {@code conf/} (what
 * an administrator set up after {@code svnadmin create}) are copied into the fresh one first.
 */
public final class SubversionModule implements Module {
  public static final String TYPE = "subversion-repository";

  private final Path swapLocks;

  public SubversionModule(Path swapLocks) {
    this.swapLocks = swapLocks;
  }

  private static Path repository(Target t) {
    return t.host().path(t.require("svnBaseDir")).resolve(t.stateName());
  }

  private static ClientTool tool(Target t) {
    return new ClientTool(t, null, Map.of());
  }

  @Override
  public String dumpName() {
    return "dump";
  }

  /** Creates the repository, loading the component's {@code subversion-repositories/*} dumps in name order. */
  @Override
  public void activate(Target t) throws IOException {
    new DirectorySwap(swapLocks).createIfAbsent(repository(t), fresh -> {
      create(t, fresh);
      for (Path dump : t.files("subversion-repositories", "*")) {
        try (InputStream in = Files.newInputStream(dump)) {
          load(t, fresh, in);
        }
      }
      shareWithGroup(t, fresh);
    });
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    Path repo = repository(t);
    new DirectorySwap(swapLocks).recover(repo);
    if (!Files.isDirectory(repo)) {
      throw new NotFoundException("no Subversion repository %s (activate it first)", repo);
    }
    try (ChildProcess p = tool(t).dumper(List.of("svnadmin", "dump", "--quiet", repo.toString()),
        "svnadmin dump of " + repo)) {
      p.dumpTo(sink);
    }
  }

  @Override
  public Map<String, String> attributes(Target t) throws IOException {
    String version = tool(t).run(List.of("svnadmin", "--version", "--quiet"), "", "svnadmin --version").strip();
    return Map.of("dumper", "svnadmin " + version);
  }

  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    Path repo = repository(t);
    Files.createDirectories(repo.getParent());
    return new DirectorySwap(swapLocks).prepare(repo, fresh -> {
      create(t, fresh);
      keepSetup(repo, fresh);
      load(t, fresh, dump);
      shareWithGroup(t, fresh);
    });
  }

  @Override
  public void drop(Target t) throws IOException {
    DurableFiles.deleteTree(repository(t));
  }

  /** The live repository's hooks and configuration, in place of {@code svnadmin create}'s defaults. */
  private static void keepSetup(Path live, Path fresh) throws IOException {
    for (String dir : List.of("hooks", "conf")) {
      if (Files.isDirectory(live.resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
        DurableFiles.deleteTree(fresh.resolve(dir));
        DurableFiles.copyTree(live.resolve(dir), fresh.resolve(dir));
      }
    }
  }

  /** {@code svnadmin create} into the empty directory {@code dir}. */
  private static void create(Target t, Path dir) throws IOException {
    tool(t).run(List.of("svnadmin", "create", dir.toString()), "", "svnadmin create " + dir);
  }

  /** {@code svnadmin load} of {@code dump} into {@code repo}, which takes the dump's UUID; reads the dump to its end. */
  private static void load(Target t, Path repo, InputStream dump) throws IOException {
    try (ChildProcess p = tool(t).feeder(List.of("svnadmin", "load", "--quiet", "--force-uuid", repo.toString()),
        "svnadmin load into " + repo)) {
      try (OutputStream stdin = p.stdin()) {
        dump.transferTo(stdin);  // the last read verifies the snapshot: on damage the load never sees its end
      } catch (IOException | RuntimeException e) {
        p.close();
        throw e;
      }
      p.requireSuccess();
    }
  }

  /** Dysnomia's svnGroup: the group owns the repository and may write to it. */
  private static void shareWithGroup(Target t, Path repo) throws IOException {
    String group = t.properties().get("svnGroup");
    if (group == null || group.isEmpty()) {
      return;
    }
    tool(t).run(List.of("chgrp", "-R", group, repo.toString()), "", "chgrp " + group);
    tool(t).run(List.of("chmod", "-R", "g+w", repo.toString()), "", "chmod g+w");
    tool(t).run(List.of("chmod", "g+s", repo.resolve("db").toString()), "", "chmod g+s");
  }

  @Override
  public String shellHelp(Target t) {
    return "This is a shell session for the '" + t.stateName() + "' Subversion repository (svnadmin, svnlook).";
  }
}
