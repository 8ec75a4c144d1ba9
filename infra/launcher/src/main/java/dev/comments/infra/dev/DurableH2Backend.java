package dev.comments.infra.dev;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.Set;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend of mongo-java-server, committed after every write to a database that must not lose
 * an acknowledged write.
 *
 * <p>The MVStore commits in the background about once a second, so a process killed in between
 * would lose writes that the driver had already seen acknowledged: the event store may not.
 * Committing before the reply puts them in the file system, which survives the death of the process
 * (though not of the machine: there is no fsync, one reason production uses MongoDB). Other
 * databases (the projections) are left to the background commit: each commit is an atomic version
 * of the whole store, so a kill loses a suffix of their writes together with the consumed offsets
 * that cover them, and the idempotent consumer applies those events again.
 */
final class DurableH2Backend extends H2Backend {
  private static final Set<String> WRITES =
      Set.of(
          "insert",
          "update",
          "delete",
          "findandmodify",
          "create",
          "createindexes",
          "drop",
          "dropdatabase",
          "dropindexes",
          "renamecollection");

  private final Set<String> durableDatabases;

  DurableH2Backend(String fileName, Set<String> durableDatabases) {
    super(MVStore.open(fileName));
    this.durableDatabases = Set.copyOf(durableDatabases);
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    try {
      return super.handleCommand(channel, database, command, query);
    } finally {
      if (durableDatabases.contains(database)
          && WRITES.contains(command.toLowerCase(java.util.Locale.ROOT))) {
        commit();
      }
    }
  }
}
