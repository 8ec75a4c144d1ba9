package dev.comments.command.thread;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.events.CommentStatus;
import dev.comments.events.ModerationAction;
import java.time.Duration;

/** The precise messages of the thread's refusals, kept apart so the aggregate reads as rules. */
final class Refusals {
  private Refusals() {}

  static CommandRejectedException threadLocked(String streamId, String what) {
    return refuse(Rejection.THREAD_LOCKED, "thread %s is locked and takes no %s", streamId, what);
  }

  // The parent id came from the request body: the answer does not repeat it.
  static CommandRejectedException parentNotFound(String streamId) {
    return refuse(
        Rejection.PARENT_NOT_FOUND, "the comment replied to is not in thread %s", streamId);
  }

  static CommandRejectedException parentDeleted() {
    return refuse(
        Rejection.COMMENT_DELETED, "the comment replied to was deleted and takes no replies");
  }

  static CommandRejectedException tooDeep(int maxDepth) {
    return refuse(
        Rejection.REPLY_TOO_DEEP,
        "replies nest at most %d levels deep, counting the top-level comment",
        maxDepth);
  }

  static CommandRejectedException commentNotFound(String commentId, String streamId) {
    return refuse(Rejection.COMMENT_NOT_FOUND, "no comment %s in thread %s", commentId, streamId);
  }

  static CommandRejectedException commentDeleted(String commentId) {
    return refuse(Rejection.COMMENT_DELETED, "comment %s was deleted", commentId);
  }

  static CommandRejectedException notAuthor(String userId, String action, String commentId) {
    return refuse(
        Rejection.NOT_AUTHOR,
        "only its author may %s comment %s, and %s is not its author",
        action,
        commentId,
        userId);
  }

  static CommandRejectedException editWindowClosed(String commentId, Duration window) {
    return refuse(
        Rejection.EDIT_WINDOW_CLOSED,
        "comment %s can no longer be edited: edits are allowed for %d seconds after posting",
        commentId,
        window.toSeconds());
  }

  static CommandRejectedException alreadyFlagged(String userId, String commentId) {
    return refuse(
        Rejection.ALREADY_FLAGGED, "%s has already flagged comment %s", userId, commentId);
  }

  static CommandRejectedException notShown(String commentId) {
    return refuse(
        Rejection.COMMENT_NOT_FOUND, "comment %s is not shown: it awaits a moderator", commentId);
  }

  static CommandRejectedException moderationNotAllowed(
      ModerationAction action, String commentId, CommentStatus status, String instead) {
    return refuse(
        Rejection.MODERATION_NOT_ALLOWED,
        "cannot %s comment %s, which is %s; %s",
        action.wireName(),
        commentId,
        status.wireName(),
        instead);
  }

  static CommandRejectedException pinReply(String commentId) {
    return refuse(
        Rejection.MODERATION_NOT_ALLOWED,
        "comment %s is a reply; only top-level comments can be pinned",
        commentId);
  }

  private static CommandRejectedException refuse(
      Rejection rejection, String format, Object... args) {
    return new CommandRejectedException(rejection, String.format(format, args));
  }
}
