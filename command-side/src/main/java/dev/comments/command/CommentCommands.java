package dev.comments.command;

import dev.comments.events.Author;
import dev.comments.events.HostPage;
import dev.comments.events.ModerationAction;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import java.time.Instant;
import java.util.List;

/**
 * What the edge asks of the command side. Each call is one command to one thread aggregate; it
 * returns once the resulting event is stored, or throws {@link CommandRejectedException} with the
 * business rule that refused it. Commands always read and write the primary event store.
 */
public interface CommentCommands {
  /**
   * The same commands, each sent under this idempotency key for this request: a command the thread
   * already applied under it (within {@link IdempotencyKeys#KEPT_FOR}) is answered as the first
   * time, with the same comment id and seq, and applies nothing. This is how a retry whose first
   * attempt has no known outcome is settled.
   */
  CommentCommands keyed(IdempotencyKeys.Key key, String requestHash);

  /** A post without media, naming no page. */
  default Accepted post(ThreadId thread, String parentId, Author author, String text) {
    return post(thread, parentId, author, text, List.of(), null);
  }

  /**
   * A post that shows {@code media} (ids of images uploaded in the thread's tenant, at most {@link
   * dev.comments.events.command.PostComment#MAX_MEDIA}, no id twice) and names {@code page}, the
   * page it was written on (kept for moderators), or null.
   *
   * @throws CommandRejectedException {@code unknown_media} for an id no upload of the tenant made,
   *     {@code media_removed} for one a moderator removed (not for a keyed retry the thread already
   *     applied: that gets its first answer), or any rule of a post
   */
  Accepted post(
      ThreadId thread,
      String parentId,
      Author author,
      String text,
      List<String> media,
      HostPage page);

  /**
   * Replaces a comment's text, and its media when {@code media} is not null (checked as a post's;
   * empty clears them); null keeps the media it shows.
   *
   * @throws CommandRejectedException {@code unknown_media}, {@code media_removed} (not for a keyed
   *     retry the thread already applied), or any rule of an edit
   */
  Accepted edit(String tenant, String commentId, String editorId, String text, List<String> media);

  Accepted delete(String tenant, String commentId, String requesterId);

  Accepted vote(String tenant, String commentId, String voterId, VoteDirection direction);

  Accepted flag(String tenant, String commentId, String flaggerId, String reason);

  /**
   * A moderator's decision on a comment of the tenant; {@code reason} may be null.
   *
   * @throws CommandRejectedException {@code comment_not_found} for a comment of no thread of the
   *     tenant, {@code comment_deleted}, {@code moderation_not_allowed} or {@code reason_invalid}
   */
  Accepted moderate(
      String tenant, String commentId, ModerationAction action, String moderatorId, String reason);

  /**
   * Bans a user from the tenant until {@code until} (null: for good); returns the ban stream's seq.
   */
  long ban(String tenant, String userId, String moderatorId, String reason, Instant until);

  /**
   * @throws CommandRejectedException {@code not_banned} for a user not banned now
   */
  long unban(String tenant, String userId, String moderatorId, String reason);

  Accepted lock(ThreadId thread, String moderatorId);

  Accepted unlock(ThreadId thread, String moderatorId);
}
