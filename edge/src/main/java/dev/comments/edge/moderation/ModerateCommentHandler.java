package dev.comments.edge.moderation;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.JsonFields;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.events.ModerationAction;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * {@code POST …/comments/{commentId}/moderation} {@code {"action": …, "reason": …}}: a moderator's
 * decision on a comment, sent as a command naming the {@link Actor}.
 */
public final class ModerateCommentHandler implements HttpHandler {
  static final List<String> FIELDS = List.of("action", "reason");

  private final CommentCommands commands;
  private final JsonBodyReader bodies;
  private final WriteAcknowledgement acknowledgement;

  public ModerateCommentHandler(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    this.commands = Objects.requireNonNull(commands, "commands");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
  }

  /** The decision the body asks for, checked as the primary checks it (also on a replica). */
  public record Decision(ModerationAction action, String reason) {}

  /**
   * @throws ApiException {@code 400 invalid_action} for an action not in the list, and the body's
   *     own codes ({@code missing_field}, {@code unknown_field}, {@code invalid_field})
   */
  public static Decision decision(JsonBodyReader bodies, HttpServerExchange exchange) {
    JsonFields fields = JsonFields.of(bodies.readObject(exchange), FIELDS);
    String name = fields.requiredString("action");
    ModerationAction action =
        ModerationAction.ofWireName(name)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "invalid_action",
                        "unknown action; it must be one of "
                            + Arrays.stream(ModerationAction.values())
                                .map(ModerationAction::wireName)
                                .collect(Collectors.joining(", "))));
    return new Decision(action, fields.optionalString("reason"));
  }

  /** On a replica: the body checked here, so a bad one costs no trip to the primary. */
  public static HttpHandler checked(JsonBodyReader bodies, HttpHandler forward) {
    return exchange -> {
      decision(bodies, exchange);
      forward.handleRequest(exchange);
    };
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Decision decision = decision(bodies, exchange);
    Accepted accepted =
        IdempotentCommand.commands(exchange, commands)
            .moderate(
                PathParameters.tenant(exchange),
                PathParameters.commentId(exchange),
                decision.action(),
                Actor.of(exchange).id(),
                decision.reason());
    acknowledgement.sendComment(exchange, 200, accepted);
  }
}
