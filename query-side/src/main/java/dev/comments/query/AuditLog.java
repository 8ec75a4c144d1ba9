package dev.comments.query;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The history this node keeps of every change (the audit projection), and the thread as it was at
 * any moment, rebuilt from it. Off the hot path: moderators and operators read it.
 */
public interface AuditLog {
  /**
   * Hands every entry {@code query} selects to {@code sink}, oldest first, as they come from a
   * cursor over the store: the range is never held in memory whole.
   */
  void stream(AuditQuery query, ReadPreference readPreference, Consumer<AuditEntry> sink);

  /**
   * A page of the thread as it was at {@code asOf}: its events up to that instant folded by the
   * same code the thread projection applies them with. Empty when the thread had no event yet.
   */
  Optional<ThreadPage> threadAsOf(
      FindThreadComments query, Instant asOf, ReadPreference readPreference);

  /** Every version of a comment's text, oldest first, with diffs; empty for an unknown comment. */
  Optional<List<CommentRevision>> commentHistory(
      ThreadId thread, String commentId, ReadPreference readPreference);

  /** The entry of one event, by its position in its thread. */
  Optional<AuditEntry> entry(ThreadId thread, long seq, ReadPreference readPreference);

  /** For nodes that keep no audit log (tests of other features). */
  AuditLog NONE =
      new AuditLog() {
        @Override
        public void stream(
            AuditQuery query, ReadPreference readPreference, Consumer<AuditEntry> sink) {}

        @Override
        public Optional<ThreadPage> threadAsOf(
            FindThreadComments query, Instant asOf, ReadPreference readPreference) {
          return Optional.empty();
        }

        @Override
        public Optional<List<CommentRevision>> commentHistory(
            ThreadId thread, String commentId, ReadPreference readPreference) {
          return Optional.empty();
        }

        @Override
        public Optional<AuditEntry> entry(
            ThreadId thread, long seq, ReadPreference readPreference) {
          return Optional.empty();
        }
      };
}
