package dev.comments.edge.testing;

import dev.comments.command.IdempotencyKeys;
import dev.comments.events.ReadPreference;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The key store's protocol in a map: insert-if-absent claims, no expiry. */
public final class InMemoryIdempotencyKeys implements IdempotencyKeys {
  public final Map<String, Entry> entries = new ConcurrentHashMap<>();

  @Override
  public Claim claim(Key key, String requestHash, ReadPreference readPreference) {
    Entry existing = entries.putIfAbsent(key.id(), new Entry(requestHash, Optional.empty()));
    if (existing == null) {
      return new Claim.Claimed();
    }
    if (!existing.requestHash().equals(requestHash)) {
      return new Claim.Reused();
    }
    return existing.answer().<Claim>map(Claim.Answered::new).orElseGet(Claim.InFlight::new);
  }

  @Override
  public void complete(Key key, String requestHash, Answer answer) {
    entries.replace(
        key.id(),
        new Entry(requestHash, Optional.empty()),
        new Entry(requestHash, Optional.of(answer)));
  }

  @Override
  public void release(Key key, String requestHash) {
    entries.remove(key.id(), new Entry(requestHash, Optional.empty()));
  }

  @Override
  public Optional<Entry> find(Key key, ReadPreference readPreference) {
    return Optional.ofNullable(entries.get(key.id()));
  }
}
