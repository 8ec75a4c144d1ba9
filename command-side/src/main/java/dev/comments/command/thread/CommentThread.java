package dev.comments.command.thread;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.getVersion;

import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentVoted;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.command.DeleteComment;
import dev.comments.events.command.EditComment;
import dev.comments.events.command.FlagComment;
import dev.comments.events.command.LockThread;
import dev.comments.events.command.PostComment;
import dev.comments.events.command.UnlockThread;
import dev.comments.events.command.VoteOnComment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;

/**
 * One comment thread of one tenant (identifier {@code tenant/thread}): it decides every rule about
 * its comments. Handlers validate, then apply; each returns the sequence number of the thread's
 * last event, the caller's consistency token. A thread comes into being with its first post or
 * lock. Deletes and flags are allowed on a locked thread: moderation must go on.
 */
public final class CommentThread {
  @AggregateIdentifier private String streamId;
  private final Map<String, Comment> comments = new HashMap<>();
  private final Map<Ballot, VoteDirection> votes = new HashMap<>();
  private final Set<Ballot> flags = new HashSet<>();
  private boolean locked;

  CommentThread() {}

  @CommandHandler
  @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
  public Long handle(PostComment cmd, ThreadRules rules) {
    ThreadId t = cmd.threadId();
    refuseWhenLocked(t, "posts");
    String text = rules.commentText(cmd.text());
    if (cmd.parentId() != null) {
      Comment parent = comments.get(cmd.parentId());
      if (parent == null) {
        throw Refusals.parentNotFound(t.streamId());
      } else if (parent.deleted()) {
        throw Refusals.parentDeleted();
      } else if (parent.depth() + 1 > rules.maxReplyDepth()) {
        throw Refusals.tooDeep(rules.maxReplyDepth());
      }
    }
    if (comments.containsKey(cmd.commentId())) {
      throw new IllegalArgumentException("comment id already used: " + cmd.commentId());
    }
    apply(
        new CommentPosted(
            t.tenant(), t.thread(), cmd.commentId(), cmd.parentId(), cmd.author(), text, cmd.at()));
    return getVersion();
  }

  @CommandHandler
  public Long handle(EditComment cmd, ThreadRules rules) {
    ThreadId t = cmd.threadId();
    Comment comment = live(cmd.commentId());
    requireAuthor(comment, cmd.editorId(), "edit", cmd.commentId());
    refuseWhenLocked(t, "edits");
    if (cmd.at().isAfter(comment.postedAt().plus(rules.editWindow()))) {
      throw Refusals.editWindowClosed(cmd.commentId(), rules.editWindow());
    }
    String text = rules.commentText(cmd.text());
    apply(
        new CommentEdited(t.tenant(), t.thread(), cmd.commentId(), cmd.editorId(), text, cmd.at()));
    return getVersion();
  }

  @CommandHandler
  public Long handle(DeleteComment cmd) {
    ThreadId t = cmd.threadId();
    requireAuthor(live(cmd.commentId()), cmd.requesterId(), "delete", cmd.commentId());
    apply(new CommentDeleted(t.tenant(), t.thread(), cmd.commentId(), cmd.requesterId(), cmd.at()));
    return getVersion();
  }

  @CommandHandler
  public Long handle(VoteOnComment cmd) {
    ThreadId t = cmd.threadId();
    live(cmd.commentId());
    refuseWhenLocked(t, "votes");
    Ballot ballot = new Ballot(cmd.commentId(), cmd.voterId());
    VoteDirection previous = votes.getOrDefault(ballot, VoteDirection.NONE);
    // The same vote again clears it; clearing a vote that is not there changes nothing.
    VoteDirection next = cmd.direction() == previous ? VoteDirection.NONE : cmd.direction();
    if (next != previous) {
      apply(
          new CommentVoted(
              t.tenant(), t.thread(), cmd.commentId(), cmd.voterId(), next, previous, cmd.at()));
    }
    return getVersion();
  }

  @CommandHandler
  public Long handle(FlagComment cmd, ThreadRules rules) {
    ThreadId t = cmd.threadId();
    live(cmd.commentId());
    String reason = rules.flagReason(cmd.reason());
    if (flags.contains(new Ballot(cmd.commentId(), cmd.flaggerId()))) {
      throw Refusals.alreadyFlagged(cmd.flaggerId(), cmd.commentId());
    }
    apply(
        new CommentFlagged(
            t.tenant(), t.thread(), cmd.commentId(), cmd.flaggerId(), reason, cmd.at()));
    return getVersion();
  }

  @CommandHandler
  @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
  public Long handle(LockThread cmd) {
    if (!locked) {
      apply(
          new ThreadLocked(
              cmd.threadId().tenant(), cmd.threadId().thread(), cmd.moderatorId(), cmd.at()));
    }
    return getVersion();
  }

  @CommandHandler
  public Long handle(UnlockThread cmd) {
    if (locked) {
      apply(
          new ThreadUnlocked(
              cmd.threadId().tenant(), cmd.threadId().thread(), cmd.moderatorId(), cmd.at()));
    }
    return getVersion();
  }

  @EventSourcingHandler
  void on(CommentPosted e) {
    streamId = e.threadId().streamId();
    int depth = e.parentId() == null ? 1 : comments.get(e.parentId()).depth() + 1;
    comments.put(e.commentId(), new Comment(e.author().id(), depth, e.postedAt(), false));
  }

  @EventSourcingHandler
  void on(CommentDeleted e) {
    comments.computeIfPresent(e.commentId(), (id, comment) -> comment.markDeleted());
  }

  @EventSourcingHandler
  void on(CommentVoted e) {
    votes.put(new Ballot(e.commentId(), e.voterId()), e.direction());
  }

  @EventSourcingHandler
  void on(CommentFlagged e) {
    flags.add(new Ballot(e.commentId(), e.flaggerId()));
  }

  @EventSourcingHandler
  void on(ThreadLocked e) {
    streamId = e.threadId().streamId();
    locked = true;
  }

  @EventSourcingHandler
  void on(ThreadUnlocked e) {
    locked = false;
  }

  private Comment live(String commentId) {
    Comment comment = comments.get(commentId);
    if (comment == null) {
      throw Refusals.commentNotFound(commentId, streamId);
    } else if (comment.deleted()) {
      throw Refusals.commentDeleted(commentId);
    }
    return comment;
  }

  private static void requireAuthor(Comment c, String userId, String action, String commentId) {
    if (!c.authorId().equals(userId)) {
      throw Refusals.notAuthor(userId, action, commentId);
    }
  }

  private void refuseWhenLocked(ThreadId thread, String what) {
    if (locked) {
      throw Refusals.threadLocked(thread.streamId(), what);
    }
  }
}
