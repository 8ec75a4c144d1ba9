package dev.comments.command;

import dev.comments.events.ReadPreference;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers the answer to each command sent with an idempotency key, so that a retried command (a
 * client's, or a forwarding hop's) is applied once and answered the same way again.
 *
 * <p>The protocol: {@link #claim} before running the command (insert-if-absent, atomic); then
 * {@link #complete} with the answer when it should be replayed (a success, or a business
 * rejection), {@link #release} when the command never ran (bad input), or {@link #doubt} when its
 * outcome is unknown (a server failure, which may come after the event was stored). A key in doubt
 * is never run as new: its retry gets {@link Claim.InDoubt} and sends the command again under the
 * same key, and the thread, which remembers the keys it applied, settles it (see {@link
 * CommentCommands#keyed}). Keys are scoped by tenant and caller identity, so one caller can neither
 * replay nor probe another's key.
 */
public interface IdempotencyKeys {
  /**
   * How long a key is remembered: its answer by the key store, from its first claim; the fact that
   * a thread applied it by that thread, from the command's time (never earlier). A store must not
   * keep keys longer than this, or a retry could outlive the thread's memory of it.
   */
  Duration KEPT_FOR = Duration.ofHours(24);

  /**
   * Takes the key for this request, or tells why not. Reads (of an existing entry) go where {@code
   * readPreference} says; commands use {@link ReadPreference#PRIMARY}.
   */
  Claim claim(Key key, String requestHash, ReadPreference readPreference);

  /** Remembers the answer of a claimed key; later claims with the same hash get it. */
  void complete(Key key, String requestHash, Answer answer);

  /**
   * Gives up a claim whose command never ran (bad input): the key may carry a corrected request.
   */
  void release(Key key, String requestHash);

  /**
   * Marks a claimed key whose command may or may not have been applied; the next claim of the same
   * request gets {@link Claim.InDoubt} at once, instead of waiting for the claim's lease.
   */
  void doubt(Key key, String requestHash);

  /** The entry of a key, if one is held or remembered. */
  Optional<Entry> find(Key key, ReadPreference readPreference);

  /**
   * A key as its caller sent it, scoped by tenant and caller identity (a session, a moderator).
   * None of the parts may contain {@code /}; the edge checks the key's alphabet.
   */
  record Key(String tenant, String identity, String key) {
    public Key {
      for (String part : new String[] {tenant, identity, key}) {
        Objects.requireNonNull(part, "part");
        if (part.isEmpty() || part.indexOf('/') >= 0) {
          throw new IllegalArgumentException("invalid idempotency key part: " + part);
        }
      }
    }

    /** One string per key: the parts cannot contain the separator, so keys never collide. */
    public String id() {
      return tenant + "/" + identity + "/" + key;
    }
  }

  /** A remembered answer: HTTP status, body bytes as UTF-8 text and the consistency token. */
  record Answer(int status, String body, String token) {
    public Answer {
      Objects.requireNonNull(body, "body");
    }
  }

  /** What is stored for a key: the request it was first used for, and its answer once known. */
  record Entry(String requestHash, Optional<Answer> answer) {}

  /** The outcome of {@link #claim}. */
  sealed interface Claim {
    /** The caller holds the key now: run the command, then complete or release. */
    record Claimed() implements Claim {}

    /**
     * The caller holds a key whose earlier attempt has no known outcome (it failed, or its holder
     * vanished past its lease): send the command again under the same key, so that the thread
     * answers as before if it applied it, or applies it now. Never run it as a new command.
     */
    record InDoubt() implements Claim {}

    /** The same request was answered before: send this answer again, apply nothing. */
    record Answered(Answer answer) implements Claim {}

    /** The same request is running right now under this key. */
    record InFlight() implements Claim {}

    /** The key was used for a different request. */
    record Reused() implements Claim {}
  }
}
