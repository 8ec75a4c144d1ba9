package dev.comments.query.thread;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import dev.comments.events.Author;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentEvent;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentVoted;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.projection.Projection;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the thread view: comments with their tree, totals and reply counts, each reader's votes,
 * flags, and the thread's lock.
 *
 * <p>Exactly once in effect, without transactions: every document an event touches carries the
 * {@code seq} of the last event applied to it, and each write is one conditional single-document
 * update ({@code seq < s}) that also sets {@code seq: s}. The thread document is written last, so
 * its {@code seq} says the event is complete: an event at or below it is a duplicate and skipped
 * outright; an event above it is (re)applied, and those of its writes that had landed before a
 * crash match nothing the second time. Events of a thread arrive in order, so this is exact.
 *
 * <p>A gap (an event more than one above the thread's {@code seq}) is applied anyway and reported:
 * holding it would freeze the thread on this node forever if the missing event never comes, and the
 * publisher guarantees gap-free streams, so a gap means a bug to fix and a rebuild to run, not a
 * state to wait out.
 */
public final class ThreadProjection implements Projection {
  private static final Logger log = LoggerFactory.getLogger(ThreadProjection.class);
  private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

  private final ThreadViewStore store;

  public ThreadProjection(ThreadViewStore store) {
    this.store = store;
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    long applied = store.threadSeq(envelope.stream(), ReadPreference.PRIMARY).orElse(-1);
    if (envelope.seq() <= applied) {
      return Outcome.DUPLICATE;
    }
    for (Runnable write : plan(envelope)) {
      write.run();
    }
    return envelope.seq() == applied + 1 ? Outcome.APPLIED : Outcome.APPLIED_AFTER_GAP;
  }

  @Override
  public void reset() {
    store.drop();
    store.createIndexes();
  }

  /**
   * The single-document writes of one event, in the order they must run; the thread document is
   * always last. Visible to tests, which run a prefix of it to play a crash in the middle.
   */
  List<Runnable> plan(EventEnvelope envelope) {
    long seq = envelope.seq();
    List<Runnable> writes = new ArrayList<>();
    Document threadSet = new Document();
    Document threadInc = new Document();
    switch (envelope.event()) {
      case CommentPosted posted -> {
        planPosted(posted, seq, writes);
        threadInc.append("commentCount", 1L);
      }
      case CommentEdited edited ->
          writes.add(
              () ->
                  store
                      .commentsForWrite()
                      .updateOne(
                          // An edit never brings a deleted comment's text back.
                          and(comment(edited, edited.commentId(), seq), eq("deleted", false)),
                          new Document(
                              "$set",
                              new Document("text", edited.text())
                                  .append("editedAt", Date.from(edited.editedAt()))
                                  .append("seq", seq))));
      case CommentDeleted deleted ->
          writes.add(
              () ->
                  store
                      .commentsForWrite()
                      .updateOne(
                          comment(deleted, deleted.commentId(), seq),
                          new Document(
                              "$set",
                              new Document("deleted", true)
                                  .append("text", null)
                                  .append("author", null)
                                  .append("deletedAt", Date.from(deleted.deletedAt()))
                                  .append("seq", seq))));
      case CommentVoted voted -> planVoted(voted, seq, writes);
      case CommentFlagged flagged ->
          writes.add(
              () ->
                  upsertOnce(
                      store.flagsForWrite(),
                      new Document("tenant", flagged.tenant())
                          .append("commentId", flagged.commentId())
                          .append("flaggerId", flagged.flaggerId()),
                      seq,
                      new Document("tenant", flagged.tenant())
                          .append("thread", flagged.thread())
                          .append("commentId", flagged.commentId())
                          .append("flaggerId", flagged.flaggerId())
                          .append("reason", flagged.reason())
                          .append("flaggedAt", Date.from(flagged.flaggedAt()))
                          .append("seq", seq)));
      case ThreadLocked locked -> threadSet.append("locked", true);
      case ThreadUnlocked unlocked -> threadSet.append("locked", false);
    }
    writes.add(() -> markThread(envelope, threadSet, threadInc));
    return writes;
  }

  private void planPosted(CommentPosted posted, long seq, List<Runnable> writes) {
    ThreadId thread = posted.threadId();
    ThreadViewStore.Placement placement;
    if (posted.parentId() == null) {
      placement = new ThreadViewStore.Placement(posted.commentId(), 0);
    } else {
      // The parent's own event came earlier in the same ordered stream, so it is there.
      placement =
          store
              .placement(thread, posted.parentId(), ReadPreference.PRIMARY)
              .map(parent -> new ThreadViewStore.Placement(parent.rootId(), parent.depth() + 1))
              .orElseGet(
                  () -> {
                    log.error(
                        "comment {} of {} replies to unknown parent {}",
                        posted.commentId(),
                        thread,
                        posted.parentId());
                    return new ThreadViewStore.Placement(posted.parentId(), 1);
                  });
    }
    Document comment =
        new Document("_id", posted.commentId())
            .append("tenant", posted.tenant())
            .append("thread", posted.thread())
            .append("parentId", posted.parentId())
            .append("rootId", placement.rootId())
            .append("depth", placement.depth())
            .append("author", authorDoc(posted.author()))
            .append("text", posted.text())
            .append("postedAt", Date.from(posted.postedAt()))
            .append("editedAt", null)
            .append("deleted", false)
            .append("up", 0L)
            .append("down", 0L)
            .append("score", 0L)
            .append("replyCount", 0L)
            .append("seq", seq);
    writes.add(
        () -> {
          try {
            store.commentsForWrite().insertOne(comment);
          } catch (MongoWriteException e) {
            // Only this event creates the comment: if it exists, this write had landed before.
            if (!isDuplicateKey(e)) {
              throw e;
            }
          }
        });
    if (posted.parentId() != null) {
      writes.add(
          () ->
              store
                  .commentsForWrite()
                  .updateOne(
                      comment(posted, posted.parentId(), seq),
                      new Document("$inc", new Document("replyCount", 1L))
                          .append("$set", new Document("seq", seq))));
    }
  }

  private void planVoted(CommentVoted voted, long seq, List<Runnable> writes) {
    long up =
        weight(voted.direction(), VoteDirection.UP) - weight(voted.previous(), VoteDirection.UP);
    long down =
        weight(voted.direction(), VoteDirection.DOWN)
            - weight(voted.previous(), VoteDirection.DOWN);
    writes.add(
        () ->
            upsertOnce(
                store.userVotesForWrite(),
                new Document("tenant", voted.tenant())
                    .append("commentId", voted.commentId())
                    .append("voterId", voted.voterId()),
                seq,
                new Document("tenant", voted.tenant())
                    .append("thread", voted.thread())
                    .append("commentId", voted.commentId())
                    .append("voterId", voted.voterId())
                    .append("direction", voted.direction().wireName())
                    .append("seq", seq)));
    writes.add(
        () ->
            store
                .commentsForWrite()
                .updateOne(
                    comment(voted, voted.commentId(), seq),
                    new Document(
                            "$inc",
                            new Document("up", up).append("down", down).append("score", up - down))
                        .append("$set", new Document("seq", seq))));
  }

  private void markThread(EventEnvelope envelope, Document set, Document inc) {
    ThreadId thread = envelope.stream();
    set.append("tenant", thread.tenant())
        .append("thread", thread.thread())
        .append("seq", envelope.seq())
        .append("lastEventAt", Date.from(envelope.time()));
    Document onInsert = new Document();
    if (!set.containsKey("locked")) {
      onInsert.append("locked", false);
    }
    if (!inc.containsKey("commentCount")) {
      onInsert.append("commentCount", 0L);
    }
    Document update = new Document("$set", set);
    if (!onInsert.isEmpty()) {
      update.append("$setOnInsert", onInsert);
    }
    if (!inc.isEmpty()) {
      update.append("$inc", inc);
    }
    upsert(
        store.threadsForWrite(),
        and(eq("_id", thread.streamId()), lt("seq", envelope.seq())),
        update);
  }

  /**
   * Sets {@code fields} on the document with this {@code _id} unless an event at or after seq did.
   */
  private static void upsertOnce(
      MongoCollection<Document> collection, Document id, long seq, Document fields) {
    upsert(collection, and(eq("_id", id), lt("seq", seq)), new Document("$set", fields));
  }

  /**
   * An upsert whose filter did not match because the document holds a later seq tries to insert the
   * same {@code _id} and fails on the unique key: that means "already applied".
   */
  private static void upsert(MongoCollection<Document> collection, Bson filter, Document update) {
    try {
      collection.updateOne(filter, update, UPSERT);
    } catch (MongoWriteException e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
    }
  }

  /** A comment of the event's thread that no event at or after {@code seq} has changed yet. */
  private static Bson comment(CommentEvent event, String commentId, long seq) {
    return and(
        eq("_id", commentId),
        eq("tenant", event.tenant()),
        eq("thread", event.thread()),
        lt("seq", seq));
  }

  private static long weight(VoteDirection direction, VoteDirection counted) {
    return direction == counted ? 1 : 0;
  }

  static Document authorDoc(Author author) {
    return new Document("kind", author.kind() == Author.Kind.USER ? "user" : "anonymous")
        .append("id", author.id())
        .append("name", author.name());
  }

  private static boolean isDuplicateKey(MongoWriteException e) {
    return e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
  }
}
