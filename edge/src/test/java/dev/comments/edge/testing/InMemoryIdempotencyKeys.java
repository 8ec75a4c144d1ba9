package dev.comments.edge.testing;

import dev.comments.command.IdempotencyKeys;
import dev.comments.events.ReadPreference;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The key store's protocol in a map: insert-if-absent claims, no expiry, no lease. */
public final class InMemoryIdempotencyKeys implements IdempotencyKeys {
  public final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** The ids of the keys marked in doubt and not yet taken by a retry. */
  public final Set<String> inDoubt = ConcurrentHashMap.newKeySet();

  @Override
  public Claim claim(Key key, String requestHash, ReadPreference readPreference) {
    Entry existing = entries.putIfAbsent(key.id(), new Entry(requestHash, Optional.empty()));
    if (existing == null) {
      return new Claim.Claimed();
    }
    if (!existing.requestHash().equals(requestHash)) {
      return new Claim.Reused();
    }
    if (existing.answer().isEmpty() && inDoubt.remove(key.id())) {
      return new Claim.InDoubt();
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
  public void doubt(Key key, String requestHash) {
    if (new Entry(requestHash, Optional.empty()).equals(entries.get(key.id()))) {
      inDoubt.add(key.id());
    }
  }

  @Override
  public Optional<Entry> find(Key key, ReadPreference readPreference) {
    return Optional.ofNullable(entries.get(key.id()));
  }
}
