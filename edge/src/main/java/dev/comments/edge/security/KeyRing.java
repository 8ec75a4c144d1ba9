package dev.comments.edge.security;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of one purpose (sessions, consistency tokens, the cluster key): new tokens are always
 * signed with {@code current}; each of {@code previous} only verifies, and only until its {@code
 * acceptUntil}, so that tokens signed before a rotation stay good for a stated window and no
 * longer.
 */
public record KeyRing(SigningKey current, List<PreviousKey> previous) {

  /** A key that verifies tokens (never signs them) until {@code acceptUntil}, exclusive. */
  public record PreviousKey(SigningKey key, Instant acceptUntil) {
    public PreviousKey {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(acceptUntil, "acceptUntil");
    }
  }

  public KeyRing {
    Objects.requireNonNull(current, "current");
    previous = List.copyOf(previous);
    Set<String> ids = new HashSet<>();
    ids.add(current.id());
    for (PreviousKey key : previous) {
      if (!ids.add(key.key().id())) {
        throw new IllegalArgumentException("key id " + key.key().id() + " is used twice");
      }
    }
  }

  /** A ring of one key: nothing rotated. */
  public static KeyRing of(SigningKey current) {
    return new KeyRing(current, List.of());
  }

  /**
   * The key named {@code id} if it may verify a token at {@code now}: the current key, or a
   * previous one whose window has not ended. Empty for an unknown id and for a retired key alike,
   * so a caller refuses both the same way.
   */
  public Optional<SigningKey> verifying(String id, Instant now) {
    if (current.id().equals(id)) {
      return Optional.of(current);
    }
    for (PreviousKey key : previous) {
      if (key.key().id().equals(id) && now.isBefore(key.acceptUntil())) {
        return Optional.of(key.key());
      }
    }
    return Optional.empty();
  }
}
