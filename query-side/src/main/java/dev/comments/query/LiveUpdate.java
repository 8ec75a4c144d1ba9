package dev.comments.query;

import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import java.util.Objects;

/**
 * One change of a thread as live readers receive it, made from the projection's state right after
 * the event was applied, so that it shows what a read of the thread would show at {@code position}.
 *
 * @param position the thread's event sequence number: the same on every node, so a reader can
 *     resume on any node from the last position it received
 * @param authorId whose content this is (a comment's author, a vote's voter), which a viewer may
 *     have blocked; null for changes of the thread itself
 */
public record LiveUpdate(
    ThreadId thread, long position, Kind kind, String authorId, Payload payload) {

  public LiveUpdate {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
  }

  /** The message types of the live protocol, by their wire names. */
  public enum Kind {
    COMMENT_POSTED("comment-posted"),
    COMMENT_EDITED("comment-edited"),
    COMMENT_DELETED("comment-deleted"),
    VOTE_CHANGED("vote-changed"),
    /**
     * A moderator's decision, or the flag threshold, changed a comment's status or pin: approved
     * shows it (a client that lacks it inserts it), removed leaves its placeholder, pending and
     * rejected take it out of view.
     */
    COMMENT_MODERATED("comment-moderated"),
    THREAD_LOCKED("thread-locked"),
    THREAD_UNLOCKED("thread-unlocked");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** What changed. */
  public sealed interface Payload {}

  /**
   * The comment as a page shows it after the change, without replies and without any viewer's vote
   * ({@code myVote} is {@link VoteDirection#NONE}).
   */
  public record CommentChange(CommentView comment) implements Payload {}

  /** A comment's new counts, and the vote that changed them. */
  public record VoteChange(
      String commentId, long up, long down, String voterId, VoteDirection direction)
      implements Payload {}

  /** The thread was locked or unlocked. */
  public record LockChange(boolean locked) implements Payload {}
}
