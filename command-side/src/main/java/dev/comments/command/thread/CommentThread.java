package dev.comments.command.thread;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.getVersion;

import dev.comments.command.IdempotencyKeys;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.CommentVoted;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.command.DeleteComment;
import dev.comments.events.command.EditComment;
import dev.comments.events.command.FlagComment;
import dev.comments.events.command.LockThread;
import dev.comments.events.command.ModerateComment;
import dev.comments.events.command.PostComment;
import dev.comments.events.command.ThreadCommand;
import dev.comments.events.command.UnlockThread;
import dev.comments.events.command.VoteOnComment;
import dev.comments.events.moderation.ModerationPolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CommandHandlerInterceptor;
import org.axonframework.modelling.command.CreationPolicy;

/**
 * One comment thread of one tenant (identifier {@code tenant/thread}): it decides every rule about
 * its comments. Handlers validate, then apply; each returns the {@link Outcome}: the sequence
 * number of the thread's last event (the caller's consistency token) and the comment. A thread
 * comes into being with its first post or lock. Deletes and flags are allowed on a locked thread:
 * moderation must go on.
 *
 * <p>Moderation: a comment is pending (held by the tenant's pre-moderation, or hidden once its
 * flags reach the tenant's threshold), approved (shown), rejected or removed; moderators move it
 * between these ({@link ModerateComment}) and pin shown top-level comments. An action that finds
 * the comment already where it would put it applies nothing, like a lock of a locked thread.
 *
 * <p>The thread is where a retry is settled: a command sent under an idempotency key ({@link
 * KeyedCommands}) leaves the key on its event, and a command carrying a key the thread applied in
 * the last {@link IdempotencyKeys#KEPT_FOR} is answered with the first outcome and applies nothing,
 * whatever happened in between. Being rebuilt from its events, the thread knows this even when the
 * first attempt's caller never heard the answer.
 */
public final class CommentThread {
  @AggregateIdentifier private String streamId;
  private final Map<String, Comment> comments = new HashMap<>();
  private final Map<Ballot, VoteDirection> votes = new HashMap<>();
  private final Set<Ballot> flags = new HashSet<>();

  /** Authors with a comment a moderator let through: pre-moderation "first" holds nobody else. */
  private final Set<String> trustedAuthors = new HashSet<>();

  private boolean locked;

  /** Idempotency keys applied recently, oldest first; pruned as events come. */
  private final Map<String, AppliedKey> appliedKeys = new LinkedHashMap<>();

  CommentThread() {}

  /**
   * Before any handler: a command this thread already applied under the same key is answered with
   * its first outcome and runs no rule again (the thread may have changed since: locked, the
   * comment deleted).
   */
  @CommandHandlerInterceptor
  Object settleRetry(ThreadCommand cmd, MetaData meta, InterceptorChain chain) throws Exception {
    Optional<Outcome> settled = appliedBefore(meta, cmd.at());
    return settled.isPresent() ? settled.get() : chain.proceed();
  }

  /** The first outcome of the request under the asker's key, if this thread applied it. */
  @CommandHandler
  public Optional<Outcome> handle(SettleRetry ask, MetaData meta) {
    return appliedBefore(meta, ask.at());
  }

  /** Rebuilds a thread from its snapshot, as if its events up to the snapshot were replayed. */
  public static CommentThread fromSnapshot(ThreadSnapshot snapshot) {
    CommentThread thread = new CommentThread();
    thread.streamId = snapshot.streamId();
    thread.locked = snapshot.locked();
    snapshot
        .comments()
        .forEach(
            c -> {
              thread.comments.put(
                  c.commentId(),
                  new Comment(
                      c.authorId(),
                      c.depth(),
                      c.postedAt(),
                      c.deleted(),
                      c.status(),
                      c.pinned(),
                      c.flagsSinceDecision()));
              if (c.status() == CommentStatus.APPROVED || c.status() == CommentStatus.REMOVED) {
                thread.trustedAuthors.add(c.authorId());
              }
            });
    snapshot
        .votes()
        .forEach(v -> thread.votes.put(new Ballot(v.commentId(), v.voterId()), v.direction()));
    snapshot.flags().forEach(f -> thread.flags.add(new Ballot(f.commentId(), f.flaggerId())));
    snapshot
        .appliedKeys()
        .forEach(
            k ->
                thread.appliedKeys.put(
                    k.key(), new AppliedKey(k.requestHash(), k.seq(), k.commentId(), k.at())));
    return thread;
  }

  /** What this thread knows, for a snapshot. */
  public ThreadSnapshot snapshot() {
    return new ThreadSnapshot(
        streamId,
        locked,
        comments.entrySet().stream()
            .map(
                e -> {
                  Comment c = e.getValue();
                  return new ThreadSnapshot.CommentState(
                      e.getKey(),
                      c.authorId(),
                      c.depth(),
                      c.postedAt(),
                      c.deleted(),
                      c.status(),
                      c.pinned(),
                      c.flagsSinceDecision());
                })
            .toList(),
        votes.entrySet().stream()
            .map(
                e ->
                    new ThreadSnapshot.VoteState(
                        e.getKey().commentId(), e.getKey().userId(), e.getValue()))
            .toList(),
        flags.stream().map(b -> new ThreadSnapshot.FlagState(b.commentId(), b.userId())).toList(),
        appliedKeys.entrySet().stream()
            .map(
                e -> {
                  AppliedKey k = e.getValue();
                  return new ThreadSnapshot.KeyState(
                      e.getKey(), k.requestHash(), k.seq(), k.commentId(), k.at());
                })
            .toList());
  }

  @CommandHandler
  @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
  public Outcome handle(PostComment cmd, ThreadRules rules, MetaData meta) {
    ThreadId t = cmd.threadId();
    refuseWhenLocked(t, "posts");
    String text = rules.commentText(cmd.text());
    if (cmd.parentId() != null) {
      Comment parent = comments.get(cmd.parentId());
      if (parent == null
          || parent.status() == CommentStatus.PENDING
          || parent.status() == CommentStatus.REJECTED) {
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
    ModerationPolicy policy = rules.policy(t.tenant());
    boolean held =
        switch (policy.preModeration()) {
          case NONE -> false;
          case ALL -> true;
          case FIRST -> !trustedAuthors.contains(cmd.author().id());
        };
    apply(
        new CommentPosted(
            t.tenant(),
            t.thread(),
            cmd.commentId(),
            cmd.parentId(),
            cmd.author(),
            text,
            cmd.at(),
            held ? CommentStatus.PENDING : CommentStatus.APPROVED,
            cmd.media(),
            cmd.page()),
        keyOf(meta));
    return outcome(cmd.commentId());
  }

  @CommandHandler
  public Outcome handle(EditComment cmd, ThreadRules rules, MetaData meta) {
    ThreadId t = cmd.threadId();
    Comment comment = live(cmd.commentId());
    requireAuthor(comment, cmd.editorId(), "edit", cmd.commentId());
    refuseWhenLocked(t, "edits");
    if (cmd.at().isAfter(comment.postedAt().plus(rules.editWindow()))) {
      throw Refusals.editWindowClosed(cmd.commentId(), rules.editWindow());
    }
    String text = rules.commentText(cmd.text());
    apply(
        new CommentEdited(
            t.tenant(), t.thread(), cmd.commentId(), cmd.editorId(), text, cmd.at(), cmd.media()),
        keyOf(meta));
    return outcome(cmd.commentId());
  }

  @CommandHandler
  public Outcome handle(DeleteComment cmd, MetaData meta) {
    ThreadId t = cmd.threadId();
    requireAuthor(live(cmd.commentId()), cmd.requesterId(), "delete", cmd.commentId());
    apply(
        new CommentDeleted(t.tenant(), t.thread(), cmd.commentId(), cmd.requesterId(), cmd.at()),
        keyOf(meta));
    return outcome(cmd.commentId());
  }

  @CommandHandler
  public Outcome handle(VoteOnComment cmd, MetaData meta) {
    ThreadId t = cmd.threadId();
    if (!live(cmd.commentId()).shown()) {
      throw Refusals.notShown(cmd.commentId());
    }
    refuseWhenLocked(t, "votes");
    Ballot ballot = new Ballot(cmd.commentId(), cmd.voterId());
    VoteDirection previous = votes.getOrDefault(ballot, VoteDirection.NONE);
    // A vote sets a direction: the one already there again changes nothing, so a repeated vote
    // (a double click, a retry without a key) cannot undo itself; NONE clears.
    if (cmd.direction() != previous) {
      apply(
          new CommentVoted(
              t.tenant(),
              t.thread(),
              cmd.commentId(),
              cmd.voterId(),
              cmd.direction(),
              previous,
              cmd.at()),
          keyOf(meta));
    }
    return outcome(cmd.commentId());
  }

  @CommandHandler
  public Outcome handle(FlagComment cmd, ThreadRules rules, MetaData meta) {
    ThreadId t = cmd.threadId();
    live(cmd.commentId());
    String reason = rules.flagReason(cmd.reason());
    if (flags.contains(new Ballot(cmd.commentId(), cmd.flaggerId()))) {
      throw Refusals.alreadyFlagged(cmd.flaggerId(), cmd.commentId());
    }
    apply(
        new CommentFlagged(
            t.tenant(), t.thread(), cmd.commentId(), cmd.flaggerId(), reason, cmd.at()),
        keyOf(meta));
    Comment comment = comments.get(cmd.commentId());
    int threshold = rules.policy(t.tenant()).flagThreshold();
    if (threshold > 0 && comment.shown() && comment.flagsSinceDecision() >= threshold) {
      apply(
          new CommentHeld(
              t.tenant(), t.thread(), cmd.commentId(), comment.flagsSinceDecision(), cmd.at()));
    }
    return outcome(cmd.commentId());
  }

  @CommandHandler
  public Outcome handle(ModerateComment cmd, ThreadRules rules, MetaData meta) {
    ThreadId t = cmd.threadId();
    Comment comment = live(cmd.commentId());
    String reason = rules.moderationReason(cmd.reason());
    CommentStatus status = comment.status();
    boolean changes =
        switch (cmd.action()) {
          case APPROVE ->
              allowed(cmd, status != CommentStatus.REMOVED, status, "restore it")
                  && status != CommentStatus.APPROVED;
          case REJECT ->
              allowed(
                      cmd,
                      status == CommentStatus.PENDING || status == CommentStatus.REJECTED,
                      status,
                      "remove it")
                  && status != CommentStatus.REJECTED;
          case REMOVE ->
              allowed(cmd, status != CommentStatus.REJECTED, status, "it is not shown")
                  && status != CommentStatus.REMOVED;
          case RESTORE ->
              allowed(
                      cmd,
                      status == CommentStatus.REMOVED || status == CommentStatus.APPROVED,
                      status,
                      "approve or reject it")
                  && status != CommentStatus.APPROVED;
          case PIN -> {
            allowed(cmd, status == CommentStatus.APPROVED, status, "approve it first");
            if (comment.depth() != 1) {
              throw Refusals.pinReply(cmd.commentId());
            }
            yield !comment.pinned();
          }
          case UNPIN -> comment.pinned();
        };
    if (changes) {
      apply(
          new CommentModerated(
              t.tenant(),
              t.thread(),
              cmd.commentId(),
              cmd.action(),
              cmd.moderatorId(),
              reason,
              cmd.at()),
          keyOf(meta));
    }
    return outcome(cmd.commentId());
  }

  private static boolean allowed(
      ModerateComment cmd, boolean allowed, CommentStatus status, String instead) {
    if (!allowed) {
      throw Refusals.moderationNotAllowed(cmd.action(), cmd.commentId(), status, instead);
    }
    return true;
  }

  @CommandHandler
  @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
  public Outcome handle(LockThread cmd, MetaData meta) {
    if (!locked) {
      apply(
          new ThreadLocked(
              cmd.threadId().tenant(), cmd.threadId().thread(), cmd.moderatorId(), cmd.at()),
          keyOf(meta));
    }
    return outcome(null);
  }

  @CommandHandler
  public Outcome handle(UnlockThread cmd, MetaData meta) {
    if (locked) {
      apply(
          new ThreadUnlocked(
              cmd.threadId().tenant(), cmd.threadId().thread(), cmd.moderatorId(), cmd.at()),
          keyOf(meta));
    }
    return outcome(null);
  }

  @EventSourcingHandler
  void on(CommentPosted e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, e.commentId(), e.postedAt());
    streamId = e.threadId().streamId();
    int depth = e.parentId() == null ? 1 : comments.get(e.parentId()).depth() + 1;
    comments.put(
        e.commentId(),
        new Comment(e.author().id(), depth, e.postedAt(), false, e.status(), false, 0));
    if (e.status() == CommentStatus.APPROVED) {
      trustedAuthors.add(e.author().id());
    }
  }

  @EventSourcingHandler
  void on(CommentModerated e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, e.commentId(), e.moderatedAt());
    Comment comment = comments.get(e.commentId());
    Comment after =
        switch (e.action()) {
          case APPROVE, RESTORE -> comment.withStatus(CommentStatus.APPROVED);
          case REJECT -> comment.withStatus(CommentStatus.REJECTED);
          case REMOVE -> comment.withStatus(CommentStatus.REMOVED);
          case PIN -> comment.withPinned(true);
          case UNPIN -> comment.withPinned(false);
        };
    comments.put(e.commentId(), after);
    if (after.status() == CommentStatus.APPROVED) {
      trustedAuthors.add(after.authorId());
    }
  }

  @EventSourcingHandler
  void on(CommentHeld e) {
    comments.computeIfPresent(
        e.commentId(), (id, comment) -> comment.withStatus(CommentStatus.PENDING));
  }

  @EventSourcingHandler
  void on(CommentEdited e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, e.commentId(), e.editedAt());
  }

  @EventSourcingHandler
  void on(CommentDeleted e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, e.commentId(), e.deletedAt());
    comments.computeIfPresent(e.commentId(), (id, comment) -> comment.markDeleted());
  }

  @EventSourcingHandler
  void on(CommentVoted e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, e.commentId(), e.votedAt());
    votes.put(new Ballot(e.commentId(), e.voterId()), e.direction());
  }

  @EventSourcingHandler
  void on(CommentFlagged e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, e.commentId(), e.flaggedAt());
    flags.add(new Ballot(e.commentId(), e.flaggerId()));
    comments.computeIfPresent(e.commentId(), (id, comment) -> comment.flagged());
  }

  @EventSourcingHandler
  void on(ThreadLocked e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, null, e.lockedAt());
    streamId = e.threadId().streamId();
    locked = true;
  }

  @EventSourcingHandler
  void on(ThreadUnlocked e, MetaData meta, @SequenceNumber Long seq) {
    remember(meta, seq, null, e.unlockedAt());
    locked = false;
  }

  /**
   * The first outcome of this request, when the thread applied it under the command's key within
   * {@link IdempotencyKeys#KEPT_FOR} of the command's time. The request hash must match too: a key
   * that the key store forgot and its caller reused for another request is a new command.
   */
  private Optional<Outcome> appliedBefore(MetaData meta, Instant at) {
    Object key = meta.get(KeyedCommands.KEY);
    AppliedKey applied = key == null ? null : appliedKeys.get(key.toString());
    if (applied == null
        || !applied.requestHash().equals(meta.get(KeyedCommands.REQUEST_HASH))
        || !at.isBefore(applied.at().plus(IdempotencyKeys.KEPT_FOR))) {
      return Optional.empty();
    }
    return Optional.of(outcome(applied.seq(), applied.commentId()));
  }

  private Outcome outcome(String commentId) {
    return outcome(getVersion(), commentId);
  }

  private Outcome outcome(long seq, String commentId) {
    Comment comment = commentId == null ? null : comments.get(commentId);
    return new Outcome(seq, commentId, comment == null ? null : comment.status());
  }

  /** The command's key and request hash, copied onto its event; nothing else of its metadata. */
  private static MetaData keyOf(MetaData command) {
    return command.subset(KeyedCommands.KEY, KeyedCommands.REQUEST_HASH);
  }

  private void remember(MetaData meta, long seq, String commentId, Instant at) {
    // Oldest first, so pruning stops at the first key still young enough.
    Instant horizon = at.minus(IdempotencyKeys.KEPT_FOR);
    Iterator<AppliedKey> oldest = appliedKeys.values().iterator();
    while (oldest.hasNext() && !oldest.next().at().isAfter(horizon)) {
      oldest.remove();
    }
    Object key = meta.get(KeyedCommands.KEY);
    Object requestHash = meta.get(KeyedCommands.REQUEST_HASH);
    if (key != null && requestHash != null) {
      appliedKeys.remove(key.toString());
      appliedKeys.put(key.toString(), new AppliedKey(requestHash.toString(), seq, commentId, at));
    }
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
