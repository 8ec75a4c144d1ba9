package dev.comments.edge.audit;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.edge.moderation.Actor;
import dev.comments.events.ModerationAction;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.query.AuditEntry;
import dev.comments.query.AuditLog;
import dev.comments.query.ThreadQueries;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code POST …/threads/{thread}/audit/{seq}/undo}, behind the moderator key: undoes the moderator
 * action at that position by sending its compensating command, so the undo is an event of its own
 * and in the audit log too. A lock is undone by an unlock and an unlock by a lock; other events
 * have no compensating command yet ({@code 409 not_undoable}).
 */
public final class UndoHandler implements HttpHandler {
  private static final Pattern SEQ = Pattern.compile("[0-9]{1,18}");

  private final AuditLog audit;
  private final ThreadQueries queries;
  private final Duration wait;
  private final CommentCommands commands;
  private final WriteAcknowledgement acknowledgement;

  /**
   * @param queries and {@code wait}: how long to wait for this node's projections to hold the
   *     action (a moderator who undoes what they just did)
   */
  public UndoHandler(
      AuditLog audit,
      ThreadQueries queries,
      Duration wait,
      CommentCommands commands,
      WriteAcknowledgement acknowledgement) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.queries = Objects.requireNonNull(queries, "queries");
    this.wait = Objects.requireNonNull(wait, "wait");
    this.commands = Objects.requireNonNull(commands, "commands");
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
  }

  /** The position in the path, checked. */
  static long seqOf(HttpServerExchange exchange) {
    String text = PathParameters.parameter(exchange, "seq");
    if (!SEQ.matcher(text).matches()) {
      throw ApiException.badRequest(
          "invalid_path", "the position in the path must be a non-negative integer");
    }
    return Long.parseLong(text);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    ThreadId thread = PathParameters.threadId(exchange);
    long seq = seqOf(exchange);
    // The thread view is applied last of the projections: once it holds seq, the audit does too.
    queries.awaitSeq(thread, seq, wait, ReadPreference.PRIMARY);
    AuditEntry entry =
        audit
            .entry(thread, seq, ReadPreference.PRIMARY)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "audit_entry_not_found",
                        "thread '" + thread.thread() + "' has no event at position " + seq));
    CommentCommands keyed = IdempotentCommand.commands(exchange, commands);
    Accepted accepted =
        switch (entry.type()) {
          case "ThreadLocked" -> keyed.unlock(thread, Actor.of(exchange).id());
          case "ThreadUnlocked" -> keyed.lock(thread, Actor.of(exchange).id());
          case "CommentModerated" -> {
            ModerationAction undone =
                ModerationAction.ofWireName(entry.payload().path("action").asText())
                    .orElseThrow(() -> notUndoable(entry.type()));
            ModerationAction compensation =
                switch (undone) {
                  case REMOVE -> ModerationAction.RESTORE;
                  case RESTORE -> ModerationAction.REMOVE;
                  case PIN -> ModerationAction.UNPIN;
                  case UNPIN -> ModerationAction.PIN;
                  case APPROVE, REJECT -> throw notUndoable(entry.type() + " " + undone.wireName());
                };
            yield keyed.moderate(
                thread.tenant(),
                entry.payload().path("commentId").asText(),
                compensation,
                Actor.of(exchange).id(),
                "undo of " + undone.wireName() + " at position " + seq);
          }
          default -> throw notUndoable(entry.type());
        };
    acknowledgement.sendThread(exchange, accepted);
  }

  private static ApiException notUndoable(String what) {
    return new ApiException(
        409,
        "not_undoable",
        what
            + " has no compensating command; locks, unlocks, removals, restores, pins and unpins"
            + " are undone",
        Map.of());
  }
}
