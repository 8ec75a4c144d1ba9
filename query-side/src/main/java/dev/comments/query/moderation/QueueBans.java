package dev.comments.query.moderation;

import dev.comments.events.BanEvent;
import dev.comments.events.LoggedEvent;
import dev.comments.events.ReadPreference;
import dev.comments.events.UserBanned;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.projection.Projection;
import java.util.HashMap;
import java.util.Map;

/**
 * What bans do to one queue: a ban takes its author's pending comments out of it. The live queue
 * learns it from the ban projection; a rebuild's shadow queue, whose consumer feeds no ban
 * projection, from this one. Each user's ban stream is applied once, by sequence number, so a batch
 * read again changes nothing.
 */
public final class QueueBans implements Projection {
  private final QueueStore queue;
  private final Map<String, Long> applied = new HashMap<>();

  public QueueBans(QueueStore queue) {
    this.queue = queue;
  }

  @Override
  public boolean follows(LoggedEvent event) {
    return event instanceof BanEvent;
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    if (!(envelope.event() instanceof BanEvent event)) {
      throw new IllegalArgumentException("not a ban event: " + envelope.stream());
    }
    String key = event.tenant() + "/" + event.userId();
    long before = applied.getOrDefault(key, -1L);
    if (envelope.seq() <= before) {
      return Outcome.DUPLICATE;
    }
    if (event instanceof UserBanned) {
      queue.hideAuthorsPending(event.tenant(), event.userId(), ReadPreference.PRIMARY);
    }
    applied.put(key, envelope.seq());
    return envelope.seq() == before + 1 ? Outcome.APPLIED : Outcome.APPLIED_AFTER_GAP;
  }

  /** The queue itself is reset by the thread projection that writes it. */
  @Override
  public void reset() {
    applied.clear();
  }
}
