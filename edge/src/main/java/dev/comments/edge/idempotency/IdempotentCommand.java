package dev.comments.edge.idempotency;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.CommentCommands;
import dev.comments.command.IdempotencyKeys;
import dev.comments.command.IdempotencyKeys.Answer;
import dev.comments.command.IdempotencyKeys.Claim;
import dev.comments.command.IdempotencyKeys.Key;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.ErrorMapping;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.http.RequestFingerprint;
import dev.comments.edge.moderation.Actor;
import dev.comments.edge.session.Session;
import dev.comments.events.ReadPreference;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@value #HEADER} protocol around a write route; it holds no business rule. A request with a
 * key claims it (per tenant and caller, so a caller can neither replay nor probe another's key),
 * runs with the key handed to the command ({@link #commands}), and leaves its answer behind when it
 * is final: a success or a business rejection. A retry of the same request gets that answer again
 * with {@value #REPLAYED} and applies nothing; the same key on a different request is {@code 422
 * idempotency_key_reused}; a retry while the first still runs is {@code 409
 * idempotency_key_in_flight} at once (no worker waits). Bad input releases the key (nothing ran).
 * Any other failure leaves the key in doubt, since the event may have been stored before it: the
 * retry runs the command again under the same key and the thread settles it, answering as the first
 * time if it had applied it, so it is never applied twice.
 *
 * <p>A request without a key runs as it is: nobody else knows a key made for it to retry. A replica
 * forwarding commands to the primary does make one ({@link #clientKeyOrNew}), so its own retry of
 * the hop applies the command once.
 */
public final class IdempotentCommand implements HttpHandler {
  public static final String HEADER = "Idempotency-Key";
  public static final String REPLAYED = "Idempotent-Replayed";

  private static final HttpString HEADER_NAME = HttpString.tryFromString(HEADER);
  private static final HttpString REPLAYED_NAME = HttpString.tryFromString(REPLAYED);
  private static final AttachmentKey<Keyed> KEYED = AttachmentKey.create(Keyed.class);
  private static final HttpString TOKEN_NAME =
      HttpString.tryFromString(WriteAcknowledgement.HEADER);
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger log = LoggerFactory.getLogger(IdempotentCommand.class);

  private final IdempotencyKeys keys;
  private final Function<HttpServerExchange, String> identity;
  private final HttpHandler next;

  private IdempotentCommand(
      IdempotencyKeys keys, Function<HttpServerExchange, String> identity, HttpHandler next) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.identity = identity;
    this.next = Objects.requireNonNull(next, "next");
  }

  /** For routes behind a session: keys are the session's own. */
  public static IdempotentCommand asSession(IdempotencyKeys keys, HttpHandler next) {
    return new IdempotentCommand(
        keys, exchange -> "session:" + Session.of(exchange).sessionId(), next);
  }

  /** For moderation routes: keys are the moderator's own (the admin's, for its keys). */
  public static IdempotentCommand asModerator(IdempotencyKeys keys, HttpHandler next) {
    return new IdempotentCommand(keys, exchange -> "moderator:" + Actor.of(exchange).id(), next);
  }

  /**
   * The key a command travels with: the client's {@value #HEADER}, checked, or a new one made here
   * when it sent none.
   *
   * @throws ApiException {@code 400 invalid_idempotency_key} for a malformed or repeated header
   */
  public static String clientKeyOrNew(HttpServerExchange exchange) {
    String given = clientKey(exchange);
    return given == null ? newKey() : given;
  }

  /**
   * The commands a route behind this handler sends: under this request's key when it came with one,
   * so that the thread can settle a retry of it.
   */
  public static CommentCommands commands(HttpServerExchange exchange, CommentCommands commands) {
    Keyed keyed = exchange.getAttachment(KEYED);
    return keyed == null ? commands : commands.keyed(keyed.key(), keyed.requestHash());
  }

  private static String clientKey(HttpServerExchange exchange) {
    HeaderValues given = exchange.getRequestHeaders().get(HEADER_NAME);
    if (given == null || given.isEmpty()) {
      return null;
    }
    if (given.size() > 1 || !VALID.matcher(given.getFirst()).matches()) {
      throw ApiException.badRequest(
          "invalid_idempotency_key",
          "the " + HEADER + " header must be one value of 1 to 128 characters of [A-Za-z0-9._:-]");
    }
    return given.getFirst();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String given = clientKey(exchange);
    if (given == null) {
      next.handleRequest(exchange);
      return;
    }
    Key key = new Key(PathParameters.tenant(exchange), identity.apply(exchange), given);
    String requestHash = RequestFingerprint.of(exchange);
    switch (keys.claim(key, requestHash, ReadPreference.PRIMARY)) {
      case Claim.Claimed() -> run(exchange, key, requestHash);
      case Claim.InDoubt() -> {
        log.info("Settling idempotency key {}: its earlier attempt has no known outcome", key.id());
        run(exchange, key, requestHash);
      }
      case Claim.Answered(Answer answer) -> replay(exchange, answer);
      case Claim.InFlight() ->
          throw new ApiException(
              409,
              "idempotency_key_in_flight",
              "a request with this " + HEADER + " is still running; retry shortly",
              Map.of("Retry-After", "1"));
      case Claim.Reused() ->
          throw new ApiException(
              422,
              "idempotency_key_reused",
              "this " + HEADER + " was already used for a different request");
    }
  }

  private void run(HttpServerExchange exchange, Key key, String requestHash) throws Exception {
    exchange.putAttachment(KEYED, new Keyed(key, requestHash));
    boolean rejected = false;
    try {
      next.handleRequest(exchange);
    } catch (CommandRejectedException rejection) {
      // A business rule's answer is final: the same request would be refused the same way.
      ErrorMapping.send(exchange, rejection);
      rejected = true;
    } catch (ApiException failure) {
      // The edge's own checks refuse bad input before any command is sent.
      if (failure.status() < 500) {
        release(key, requestHash);
      } else {
        doubt(key, requestHash);
      }
      throw failure;
    } catch (Exception | Error failure) {
      // Possibly after the event was stored (a lost answer, a store timeout): in doubt, never free.
      doubt(key, requestHash);
      throw failure;
    }
    remember(exchange, key, requestHash, rejected);
  }

  private void remember(
      HttpServerExchange exchange, Key key, String requestHash, boolean rejected) {
    int status = exchange.getStatusCode();
    byte[] body = JsonResponses.sent(exchange).orElse(null);
    boolean remembered = rejected ? status >= 400 && status < 500 : status >= 200 && status < 300;
    if (body == null || !remembered) {
      doubt(key, requestHash);
      return;
    }
    String token = exchange.getResponseHeaders().getFirst(TOKEN_NAME);
    try {
      keys.complete(
          key, requestHash, new Answer(status, new String(body, StandardCharsets.UTF_8), token));
    } catch (RuntimeException e) {
      // The command was applied and answered; a retry waits for the claim's lease, then is settled.
      log.warn("Could not remember the answer of idempotency key {}", key.id(), e);
    }
  }

  private void doubt(Key key, String requestHash) {
    try {
      keys.doubt(key, requestHash);
    } catch (RuntimeException e) {
      // Left pending: a retry waits for the claim's lease, then is settled all the same.
      log.warn("Could not mark idempotency key {} in doubt", key.id(), e);
    }
  }

  private void release(Key key, String requestHash) {
    try {
      keys.release(key, requestHash);
    } catch (RuntimeException e) {
      log.warn("Could not release idempotency key {}", key.id(), e);
    }
  }

  private static void replay(HttpServerExchange exchange, Answer answer) {
    if (answer.token() != null) {
      exchange.getResponseHeaders().put(TOKEN_NAME, answer.token());
    }
    exchange.getResponseHeaders().put(REPLAYED_NAME, "true");
    JsonResponses.sendBytes(
        exchange, answer.status(), answer.body().getBytes(StandardCharsets.UTF_8));
  }

  /** The key a request runs under, for the command it sends. */
  private record Keyed(Key key, String requestHash) {}

  private static String newKey() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
