package dev.comments.command;

import dev.comments.command.locator.CommentLocator;
import dev.comments.command.media.MediaReferences;
import dev.comments.command.thread.KeyedCommands;
import dev.comments.command.thread.Outcome;
import dev.comments.command.thread.SettleRetry;
import dev.comments.events.Author;
import dev.comments.events.HostPage;
import dev.comments.events.ModerationAction;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.command.BanUser;
import dev.comments.events.command.DeleteComment;
import dev.comments.events.command.EditComment;
import dev.comments.events.command.FlagComment;
import dev.comments.events.command.LockThread;
import dev.comments.events.command.ModerateComment;
import dev.comments.events.command.PostComment;
import dev.comments.events.command.ThreadCommand;
import dev.comments.events.command.UnbanUser;
import dev.comments.events.command.UnlockThread;
import dev.comments.events.command.VoteOnComment;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.AggregateNotFoundException;

/**
 * Turns calls of the edge into thread commands: makes comment ids, stamps the time from the clock,
 * finds the thread of a comment through the {@link CommentLocator} (read from the primary, since a
 * command must see the comment its author just posted) and waits for the event to be stored. A
 * {@link #keyed} view sends each command with its idempotency key in the command's metadata.
 */
final class AxonCommentCommands implements CommentCommands {
  private final CommandGateway gateway;
  private final CommentLocator locator;
  private final CommentIds ids;
  private final MediaReferences media;
  private final Clock clock;
  private final MetaData metaData;

  AxonCommentCommands(CommandGateway gateway, CommentLocator locator, Clock clock) {
    this(
        Objects.requireNonNull(gateway, "gateway"),
        Objects.requireNonNull(locator, "locator"),
        new CommentIds(Objects.requireNonNull(clock, "clock")),
        new MediaReferences(gateway, clock),
        clock,
        MetaData.emptyInstance());
  }

  private AxonCommentCommands(
      CommandGateway gateway,
      CommentLocator locator,
      CommentIds ids,
      MediaReferences media,
      Clock clock,
      MetaData metaData) {
    this.gateway = gateway;
    this.locator = locator;
    this.ids = ids;
    this.media = media;
    this.clock = clock;
    this.metaData = metaData;
  }

  @Override
  public CommentCommands keyed(IdempotencyKeys.Key key, String requestHash) {
    return new AxonCommentCommands(
        gateway, locator, ids, media, clock, KeyedCommands.metaData(key, requestHash));
  }

  @Override
  public Accepted post(
      ThreadId thread,
      String parentId,
      Author author,
      String text,
      List<String> mediaIds,
      HostPage page) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(mediaIds, "mediaIds");
    // Before the locator entry: a refused post leaves nothing behind.
    Optional<Outcome> settled = checkMedia(thread, mediaIds);
    if (settled.isPresent()) {
      return accepted(thread, settled.get());
    }
    String commentId = ids.next();
    // The entry goes first: once the event is stored, an edit must be able to find its thread.
    locator.register(thread, commentId);
    try {
      Outcome outcome =
          send(
              new PostComment(
                  thread, commentId, parentId, author, text, clock.instant(), mediaIds, page));
      if (!commentId.equals(outcome.commentId())) {
        // A retry the thread had applied before, under the comment id of the first attempt (whose
        // entry that attempt made): the id made for this one names nothing.
        locator.forget(thread, commentId);
      }
      return new Accepted(thread, outcome.commentId(), outcome.seq(), outcome.status());
    } catch (CommandRejectedException rejected) {
      locator.forget(thread, commentId);
      throw rejected;
    }
  }

  @Override
  public Accepted edit(
      String tenant, String commentId, String editorId, String text, List<String> mediaIds) {
    ThreadId thread = locate(tenant, commentId);
    if (mediaIds != null) {
      Optional<Outcome> settled = checkMedia(thread, mediaIds);
      if (settled.isPresent()) {
        return accepted(thread, settled.get());
      }
    }
    return accepted(
        thread, new EditComment(thread, commentId, editorId, text, clock.instant(), mediaIds));
  }

  @Override
  public Accepted delete(String tenant, String commentId, String requesterId) {
    ThreadId thread = locate(tenant, commentId);
    return accepted(thread, new DeleteComment(thread, commentId, requesterId, clock.instant()));
  }

  @Override
  public Accepted vote(String tenant, String commentId, String voterId, VoteDirection direction) {
    Objects.requireNonNull(direction, "direction");
    ThreadId thread = locate(tenant, commentId);
    return accepted(
        thread, new VoteOnComment(thread, commentId, voterId, direction, clock.instant()));
  }

  @Override
  public Accepted flag(String tenant, String commentId, String flaggerId, String reason) {
    ThreadId thread = locate(tenant, commentId);
    return accepted(thread, new FlagComment(thread, commentId, flaggerId, reason, clock.instant()));
  }

  @Override
  public Accepted moderate(
      String tenant, String commentId, ModerationAction action, String moderatorId, String reason) {
    Objects.requireNonNull(action, "action");
    ThreadId thread = locate(tenant, commentId);
    return accepted(
        thread,
        new ModerateComment(thread, commentId, action, moderatorId, reason, clock.instant()));
  }

  @Override
  public long ban(String tenant, String userId, String moderatorId, String reason, Instant until) {
    return sendBan(new BanUser(tenant, userId, moderatorId, reason, until, clock.instant()));
  }

  @Override
  public long unban(String tenant, String userId, String moderatorId, String reason) {
    try {
      return sendBan(new UnbanUser(tenant, userId, moderatorId, reason, clock.instant()));
    } catch (AggregateNotFoundException never) {
      throw new CommandRejectedException(
          Rejection.NOT_BANNED, "user " + userId + " is not banned in tenant " + tenant);
    }
  }

  private long sendBan(Object command) {
    try {
      Object result =
          gateway.sendAndWait(
              GenericCommandMessage.asCommandMessage(command).andMetaData(metaData));
      return (Long) result;
    } catch (CommandExecutionException e) {
      if (e.getCause() instanceof CommandRejectedException rejected) {
        throw rejected;
      }
      throw e;
    }
  }

  @Override
  public Accepted lock(ThreadId thread, String moderatorId) {
    return accepted(thread, new LockThread(thread, moderatorId, clock.instant()));
  }

  @Override
  public Accepted unlock(ThreadId thread, String moderatorId) {
    // A thread that never had an event cannot be unlocked: it is refused as not found.
    return accepted(thread, new UnlockThread(thread, moderatorId, clock.instant()));
  }

  private Accepted accepted(ThreadId thread, ThreadCommand command) {
    return accepted(thread, send(command));
  }

  private static Accepted accepted(ThreadId thread, Outcome outcome) {
    return new Accepted(thread, outcome.commentId(), outcome.seq(), outcome.status());
  }

  /**
   * Checks the media a post or an edit names; empty when they may be shown. A keyed retry of a
   * command the thread applied before a moderator removed one of them gets that first outcome
   * instead of the refusal: the check is about the command as new, and it is not new.
   */
  private Optional<Outcome> checkMedia(ThreadId thread, List<String> mediaIds) {
    try {
      media.check(thread.tenant(), mediaIds);
      return Optional.empty();
    } catch (CommandRejectedException refused) {
      return Optional.of(settled(thread).orElseThrow(() -> refused));
    }
  }

  /**
   * The first outcome of this view's keyed request, if the thread applied it; none without a key or
   * for a thread that has no event.
   */
  private Optional<Outcome> settled(ThreadId thread) {
    if (!KeyedCommands.isKeyed(metaData)) {
      return Optional.empty();
    }
    try {
      Object result =
          gateway.sendAndWait(
              GenericCommandMessage.asCommandMessage(new SettleRetry(thread, clock.instant()))
                  .andMetaData(metaData));
      return ((Optional<?>) result).map(Outcome.class::cast);
    } catch (AggregateNotFoundException noThread) {
      return Optional.empty();
    }
  }

  private ThreadId locate(String tenant, String commentId) {
    return locator
        .find(tenant, commentId, ReadPreference.PRIMARY)
        .orElseThrow(() -> notFound(tenant, commentId));
  }

  /**
   * Sends a command (with this view's key, if any) and returns the thread's answer. A thread with
   * no events is refused: a comment command names a comment that was never stored (a locator entry
   * whose post failed), a thread command a thread that never existed.
   */
  private Outcome send(ThreadCommand command) {
    Object result;
    try {
      result =
          gateway.sendAndWait(
              GenericCommandMessage.asCommandMessage(command).andMetaData(metaData));
    } catch (AggregateNotFoundException missing) {
      String commentId = commentIdOf(command);
      throw commentId == null
          ? new CommandRejectedException(
              Rejection.THREAD_NOT_FOUND, "no thread " + command.threadId() + " has any event")
          : notFound(command.threadId().tenant(), commentId);
    } catch (CommandExecutionException e) {
      if (e.getCause() instanceof CommandRejectedException rejected) {
        throw rejected;
      }
      throw e;
    }
    if (!(result instanceof Outcome outcome)) {
      // Every thread handler returns its outcome; anything else is a bug.
      throw new IllegalStateException("no outcome returned for " + command.getClass().getName());
    }
    return outcome;
  }

  private static String commentIdOf(ThreadCommand command) {
    return switch (command) {
      case PostComment c -> c.commentId();
      case EditComment c -> c.commentId();
      case DeleteComment c -> c.commentId();
      case VoteOnComment c -> c.commentId();
      case FlagComment c -> c.commentId();
      case ModerateComment c -> c.commentId();
      case LockThread c -> null;
      case UnlockThread c -> null;
    };
  }

  private static CommandRejectedException notFound(String tenant, String commentId) {
    return new CommandRejectedException(
        Rejection.COMMENT_NOT_FOUND, "no comment " + commentId + " in tenant " + tenant);
  }
}
