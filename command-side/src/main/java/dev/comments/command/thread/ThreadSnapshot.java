package dev.comments.command.thread;

import dev.comments.events.CommentStatus;
import dev.comments.events.VoteDirection;
import java.time.Instant;
import java.util.List;

/**
 * Everything a {@link CommentThread} knows, as plain values, so that a snapshot can be stored and a
 * thread rebuilt from it without replaying its history. A change to what the thread remembers must
 * change this record and {@link #REVISION}: a snapshot of another revision is ignored and the
 * thread is replayed from its events instead.
 */
public record ThreadSnapshot(
    String streamId,
    boolean locked,
    List<CommentState> comments,
    List<VoteState> votes,
    List<FlagState> flags,
    List<KeyState> appliedKeys) {

  /** The revision of this shape, stored with every snapshot. */
  public static final String REVISION = "2";

  public ThreadSnapshot {
    comments = List.copyOf(comments);
    votes = List.copyOf(votes);
    flags = List.copyOf(flags);
    appliedKeys = List.copyOf(appliedKeys);
  }

  /**
   * One comment: who wrote it, how deep it sits (top level is 1), when, whether deleted, its
   * moderation status, whether pinned, and its flags since the last moderator's decision.
   */
  public record CommentState(
      String commentId,
      String authorId,
      int depth,
      Instant postedAt,
      boolean deleted,
      CommentStatus status,
      boolean pinned,
      int flagsSinceDecision) {}

  /** One user's standing vote on one comment. */
  public record VoteState(String commentId, String voterId, VoteDirection direction) {}

  /** One user's flag on one comment. */
  public record FlagState(String commentId, String flaggerId) {}

  /**
   * A command applied under an idempotency key, oldest first: the key, its request's hash, and the
   * outcome a retry is answered with.
   */
  public record KeyState(String key, String requestHash, long seq, String commentId, Instant at) {}
}
