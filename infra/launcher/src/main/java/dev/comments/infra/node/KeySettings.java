package dev.comments.infra.node;

import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.Placeholders;
import dev.comments.edge.security.SigningKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One purpose's keys as configured ({@code comments.<purpose>.keys}): the {@code current} key signs
 * and verifies; each {@code previous} key only verifies, until its {@code accept-until} instant.
 * Nothing is checked on binding: {@link NodeProperties} gathers every problem of every secret and
 * names each setting, so that one start reports them all.
 */
public record KeySettings(Key current, List<PreviousKey> previous) {
  static final String GENERATE = "generate one with: openssl rand -base64 32";

  public KeySettings {
    previous = previous == null ? List.of() : List.copyOf(previous);
  }

  /** A key: its id (named by the tokens it signs) and its secret, base64, 32 bytes or more. */
  public record Key(String id, String secret) {
    @Override
    public String toString() {
      return "Key[id=" + id + ", secret=(hidden)]";
    }
  }

  /** A retired (or not yet current) key that verifies until {@code acceptUntil}, ISO-8601. */
  public record PreviousKey(String id, String secret, String acceptUntil) {
    @Override
    public String toString() {
      return "PreviousKey[id=" + id + ", secret=(hidden), acceptUntil=" + acceptUntil + "]";
    }
  }

  /**
   * Adds a problem per unusable setting under {@code prefix} (e.g. {@code comments.sessions.keys})
   * and records each secret in {@code seen} (secret → setting), so that a secret reused for another
   * purpose is refused too.
   */
  static void check(
      String prefix, KeySettings keys, List<String> problems, Map<String, String> seen) {
    if (keys == null || keys.current() == null) {
      problems.add(prefix + ".current is required: an id and a secret (" + GENERATE + ")");
      return;
    }
    Set<String> ids = new HashSet<>();
    checkKey(
        prefix + ".current", keys.current().id(), keys.current().secret(), problems, seen, ids);
    for (int i = 0; i < keys.previous().size(); i++) {
      PreviousKey key = keys.previous().get(i);
      String setting = prefix + ".previous[" + i + "]";
      checkKey(setting, key.id(), key.secret(), problems, seen, ids);
      if (key.acceptUntil() == null || key.acceptUntil().isBlank()) {
        problems.add(setting + ".accept-until is required: the instant it stops verifying");
      } else {
        try {
          Instant.parse(key.acceptUntil().strip());
        } catch (DateTimeParseException e) {
          problems.add(
              setting + ".accept-until must be an ISO-8601 instant such as 2026-12-31T00:00:00Z");
        }
      }
    }
  }

  private static void checkKey(
      String setting,
      String id,
      String secret,
      List<String> problems,
      Map<String, String> seen,
      Set<String> ids) {
    if (id == null || !SigningKey.ID.matcher(id).matches()) {
      problems.add(setting + ".id must be 1 to 32 of [A-Za-z0-9_-], e.g. 2026-06");
    } else if (!ids.add(id)) {
      problems.add(setting + ".id " + id + " is used by another key of the same purpose");
    }
    secretProblem(setting + ".secret", secret).ifPresent(problems::add);
    if (secret != null && secretProblem(setting + ".secret", secret).isEmpty()) {
      String other = seen.putIfAbsent(secret.strip(), setting + ".secret");
      if (other != null) {
        problems.add(setting + ".secret is the same as " + other + ": each key needs its own");
      }
    }
  }

  /** What is wrong with a base64 secret of 32 bytes or more, if anything. */
  static java.util.Optional<String> secretProblem(String setting, String secret) {
    if (secret == null || secret.isBlank()) {
      return java.util.Optional.of(setting + " is required (" + GENERATE + ")");
    }
    if (Placeholders.isPlaceholder(secret)) {
      return java.util.Optional.of(
          setting + " still holds the placeholder 'CHANGE-ME…' (" + GENERATE + ")");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(secret.strip());
    } catch (IllegalArgumentException e) {
      return java.util.Optional.of(setting + " is not base64 (" + GENERATE + ")");
    }
    if (bytes.length < SigningKey.MIN_SECRET_BYTES) {
      return java.util.Optional.of(
          setting
              + " must hold at least "
              + SigningKey.MIN_SECRET_BYTES
              + " bytes, has "
              + bytes.length
              + " ("
              + GENERATE
              + ")");
    }
    return java.util.Optional.empty();
  }

  /** The ring the edge uses; call only once {@link #check} found no problem. */
  KeyRing toKeyRing() {
    List<KeyRing.PreviousKey> verifyOnly = new ArrayList<>();
    for (PreviousKey key : previous) {
      verifyOnly.add(
          new KeyRing.PreviousKey(
              new SigningKey(key.id(), decode(key.secret())),
              Instant.parse(key.acceptUntil().strip())));
    }
    return new KeyRing(new SigningKey(current.id(), decode(current.secret())), verifyOnly);
  }

  private static byte[] decode(String secret) {
    return Base64.getDecoder().decode(secret.strip());
  }
}
