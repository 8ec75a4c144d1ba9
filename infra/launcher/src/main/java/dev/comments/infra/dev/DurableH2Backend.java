package dev.comments.infra.dev;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.Locale;
import java.util.Set;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend of mongo-java-server, committed by group commit, with no background commit.
 *
 * <p>MVStore's own background commit (about once a second) did not keep the order of writes across
 * collections: the cluster test that kills a replica during 2,000 writes found, after the restart,
 * a projection whose thread document claimed events whose comments, written before it, were gone.
 * Here a write command is answered only after a commit that started after it was applied, so what
 * survives a kill is a prefix of the writes in the order they were applied, holding every
 * acknowledged one, for the event store and the projections alike. Concurrent writes share a commit
 * ({@link GroupCommit}). A write that asks for {@code j: false} in its write concern is answered
 * before the commit, as MongoDB answers it before its journal: the projection's batch writes do,
 * and the offsets write that ends the batch waits for the commit that holds the whole batch. It
 * survives the death of the process, not of the machine: there is no fsync, one reason production
 * uses MongoDB.
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

  private final GroupCommit commits;

  DurableH2Backend(String fileName) {
    this(new MVStore.Builder().fileName(fileName).autoCommitDisabled().open());
  }

  private DurableH2Backend(MVStore store) {
    super(store);
    this.commits = new GroupCommit(store::commit, "h2-group-commit");
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    boolean write = WRITES.contains(command.toLowerCase(Locale.ROOT));
    try {
      return super.handleCommand(channel, database, command, query);
    } finally {
      if (write && !unjournaled(query)) {
        commits.awaitCommit();
      }
    }
  }

  /** Writes that waited for a commit, and the commits that held them. */
  GroupCommit.Counts commitCounts() {
    return commits.counts();
  }

  @Override
  public void close() {
    commits.close();
    super.close();
  }

  private static boolean unjournaled(Document query) {
    return query.get("writeConcern") instanceof Document concern
        && Boolean.FALSE.equals(concern.get("j"));
  }
}
