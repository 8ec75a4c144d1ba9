package dev.comments.query.projection;

import dev.comments.events.BanEvent;
import dev.comments.events.CommentEvent;
import dev.comments.events.MediaEvent;
import dev.comments.events.codec.EventEnvelope;
import java.util.Objects;

/**
 * The one projection the consumer feeds: it hands each event to the read model of its stream's
 * kind. The switch is over the sealed family of logged events, so a new kind of stream does not
 * compile until it is routed somewhere.
 */
public final class Projections implements Projection {
  private final Projection threads;
  private final Projection media;
  private final Projection bans;

  public Projections(Projection threads, Projection media, Projection bans) {
    this.threads = Objects.requireNonNull(threads, "threads");
    this.media = Objects.requireNonNull(media, "media");
    this.bans = Objects.requireNonNull(bans, "bans");
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    return switch (envelope.event()) {
      case CommentEvent comment -> threads.apply(envelope);
      case MediaEvent item -> media.apply(envelope);
      case BanEvent ban -> bans.apply(envelope);
    };
  }

  @Override
  public void reset() {
    threads.reset();
    media.reset();
    bans.reset();
  }
}
