package dev.comments.infra.dev;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.Set;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend of mongo-java-server, committed after every write.
 *
 * <p>By default the MVStore commits in the background about once a second, so a process killed in
 * between would lose writes that the driver had already seen acknowledged: an event store may not.
 * Committing before the reply reaches the file system, which survives the death of the process
 * (though not of the machine: there is no fsync, which is one reason production uses MongoDB).
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

  DurableH2Backend(String fileName) {
    super(new MVStore.Builder().fileName(fileName).autoCommitDisabled().open());
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    try {
      return super.handleCommand(channel, database, command, query);
    } finally {
      if (WRITES.contains(command.toLowerCase(java.util.Locale.ROOT))) {
        commit();
      }
    }
  }
}
