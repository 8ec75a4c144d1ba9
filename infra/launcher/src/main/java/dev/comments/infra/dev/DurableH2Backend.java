package dev.comments.infra.dev;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.Locale;
import java.util.Set;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend of mongo-java-server, committed after every write, with no background commit.
 *
 * <p>MVStore's own background commit (about once a second) did not keep the order of writes across
 * collections: the cluster test that kills a replica during 2,000 writes found, after the restart,
 * a projection whose thread document claimed events whose comments, written before it, were gone.
 * Committing after each write command, and only then, makes what survives a kill a prefix of the
 * acknowledged writes, in order, for the event store and the projections alike. It survives the
 * death of the process, not of the machine: there is no fsync, one reason production uses MongoDB.
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
      if (WRITES.contains(command.toLowerCase(Locale.ROOT))) {
        commit();
      }
    }
  }
}
