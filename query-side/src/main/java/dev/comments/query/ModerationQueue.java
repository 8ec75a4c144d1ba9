package dev.comments.query;

import dev.comments.events.HostPage;
import dev.comments.events.ReadPreference;
import dev.comments.events.query.CommentView;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The moderators' queue of a tenant, answered from this node's own projection: the comments that
 * wait for a decision (pending), that readers flagged since the last decision (flagged), or that a
 * moderator removed, newest change first.
 */
public interface ModerationQueue {
  /** The queues a moderator can read. */
  Set<String> STATUSES = Set.of("pending", "flagged", "removed");

  int MAX_LIMIT = 100;

  /**
   * @throws InvalidCursorException for a cursor this queue did not make for this filter
   */
  QueuePage find(QueueQuery query, ReadPreference readPreference);

  /**
   * One page's question.
   *
   * @param status one of {@link #STATUSES}
   * @param thread only this thread's comments, or null
   * @param userId only this author's comments, or null
   * @param text only comments whose text holds this, ignoring case, or null
   * @param cursor where the previous page ended, or null
   */
  record QueueQuery(
      String tenant,
      String status,
      String thread,
      String userId,
      String text,
      String cursor,
      int limit) {
    public QueueQuery {
      Objects.requireNonNull(tenant, "tenant");
      if (!STATUSES.contains(status)) {
        throw new IllegalArgumentException("unknown queue: " + status);
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
      }
    }
  }

  /**
   * One comment in the queue: the comment with its author and text (moderators see them whatever
   * its status), its thread, the page it was written on (null when its post named none), its flags
   * since the last decision and the last decision itself.
   */
  record QueueItem(
      String thread,
      CommentView comment,
      int flags,
      List<String> flagReasons,
      String lastAction,
      String moderatorId,
      String reason,
      Instant updatedAt,
      HostPage page) {}

  record QueuePage(List<QueueItem> items, String nextCursor) {}

  /**
   * Starts delivering {@code tenant}'s queue changes to {@code subscriber} as this node's
   * projection applies them, each right after the queue holds it (a read of the queue then shows
   * it). Nothing is replayed: a moderator subscribes, then reads the queue, and applies what
   * follows.
   */
  default QueueSubscription subscribe(String tenant, QueueSubscriber subscriber) {
    return () -> {};
  }

  /** Receives a tenant's queue changes. */
  interface QueueSubscriber {
    /**
     * Called on the projection's thread, in the order the changes were applied: it must only hand
     * the change over (to a bounded queue) and return.
     */
    void deliver(QueueChange change);
  }

  /** A running subscription; closing it stops delivery. */
  interface QueueSubscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * One comment's change in the queue.
   *
   * @param queue where the comment is now: one of {@link #STATUSES}, or {@value #LEFT} when it left
   *     every queue (approved, rejected, deleted, or its author banned)
   * @param position the thread position of the event that changed it, or null for a ban, which is
   *     no event of the thread
   */
  record QueueChange(String tenant, String queue, Long position, QueueItem item) {
    /** The {@link #queue()} of a comment that is in no queue. */
    public static final String LEFT = "none";

    public QueueChange {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(item, "item");
    }
  }

  /** An empty queue: for nodes and tests without the projection. */
  ModerationQueue NONE = (query, readPreference) -> new QueuePage(List.of(), null);
}
