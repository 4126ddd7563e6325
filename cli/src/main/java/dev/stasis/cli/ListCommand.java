package dev.stasis.cli;

import dev.stasis.store.Generation;
import dev.stasis.store.SnapshotMeta;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stasis list}: every generation with what stasis knows of its snapshot. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = {"Lists generations in numeric order, one per line: container/component, generation,"
        + " snapshot name, time, logical and stored size, compression ('-' where a snapshot was not made by stasis)."})
final class ListCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Option(names = "--json", description = "Print a JSON array.")
  boolean json;

  ListCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    List<Object> rows = new ArrayList<>();
    Scope scope = names.scope(ctx);
    try (Store s = stasis.store.open(ctx)) {
      for (Generation g : s.generations(scope)) {
        Optional<SnapshotMeta> meta = s.meta(g.snapshotRef());
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("container", g.component().container());
          m.put("component", g.component().component());
          m.put("generation", g.number());
          m.put("snapshot", g.snapshot().value());
          m.put("path", g.snapshotRef().toString());
          m.put("created", meta.map(x -> x.created().toString()).orElse(null));
          m.put("logical_size", meta.map(SnapshotMeta::logicalSize).orElse(null));
          m.put("stored_size", meta.map(SnapshotMeta::storedSize).orElse(null));
          m.put("compression", meta.map(x -> x.compression().word()).orElse(null));
          m.put("file", meta.map(SnapshotMeta::file).orElse(null));
          rows.add(m);
        } else {
          ctx.out().println(String.join("  ", g.component().toString(), Long.toString(g.number()),
              g.snapshot().value(),
              meta.map(x -> x.created().toString()).orElse("-"),
              meta.map(x -> x.logicalSize() < 0 ? "-" : Progress.size(x.logicalSize()).replace(" ", "")).orElse("-"),
              meta.map(x -> Progress.size(x.storedSize()).replace(" ", "")).orElse("-"),
              meta.map(x -> x.compression().word()).orElse("-")));
        }
      }
    }
    if (json) {
      ctx.out().println(Json.write(rows));
    }
    return ExitCodes.OK;
  }
}
