package dev.comments.query;

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
   * its status), its thread, its flags since the last decision and the last decision itself.
   */
  record QueueItem(
      String thread,
      CommentView comment,
      int flags,
      List<String> flagReasons,
      String lastAction,
      String moderatorId,
      String reason,
      Instant updatedAt) {}

  record QueuePage(List<QueueItem> items, String nextCursor) {}

  /** An empty queue: for nodes and tests without the projection. */
  ModerationQueue NONE = (query, readPreference) -> new QueuePage(List.of(), null);
}
