package dev.comments.query.projection;

import com.mongodb.MongoException;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named projections one consumer feeds, each event to each that {@linkplain Projection#follows
 * follows} its kind, in turn. A store failure ({@link MongoException}) fails the batch, which is
 * retried; any other failure is the event's own (a poison event): it is parked in {@link
 * DeadLetters} for that projection, and the other projections and the events behind it go on. The
 * outcome reported is that of the first projection following the event (the thread view for a
 * thread's event). A rebuild {@linkplain #replace replaces} one member by its rebuilt copy.
 */
public final class ProjectionSet implements Projection {
  private static final Logger log = LoggerFactory.getLogger(ProjectionSet.class);

  private final EventCodec codec = new EventCodec();
  private final DeadLetters deadLetters;
  private volatile Map<String, Projection> members;

  public ProjectionSet(Map<String, Projection> members, DeadLetters deadLetters) {
    this.members = new LinkedHashMap<>(members);
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /** A set of one, for a rebuild's shadow consumer. */
  public static ProjectionSet of(String name, Projection projection, DeadLetters deadLetters) {
    return new ProjectionSet(Map.of(name, projection), deadLetters);
  }

  /**
   * Applies the event to the members that follow it in reverse order, the first (the thread view)
   * last: an event a reader sees there, or waits for there, is in every other projection already.
   */
  @Override
  public Outcome apply(EventEnvelope envelope) {
    List<Map.Entry<String, Projection>> all = List.copyOf(members.entrySet());
    Outcome first = Outcome.DUPLICATE;
    for (Map.Entry<String, Projection> member : all.reversed()) {
      if (member.getValue().follows(envelope.event())) {
        first = applyTo(member.getKey(), member.getValue(), envelope);
      }
    }
    return first;
  }

  /**
   * Lets every member see the batch first. A store failure fails the batch; any other failure of a
   * member's bulk write is left to its event-by-event apply, where a poison event is parked.
   */
  @Override
  public void prepare(List<EventEnvelope> batch) {
    for (Map.Entry<String, Projection> member : members.entrySet()) {
      try {
        Projection projection = member.getValue();
        projection.prepare(
            batch.stream().filter(envelope -> projection.follows(envelope.event())).toList());
      } catch (MongoException e) {
        throw e;
      } catch (RuntimeException e) {
        log.warn(
            "projection {} cannot take the batch in bulk; applying it event by event",
            member.getKey(),
            e);
      }
    }
  }

  /** Applies one event to one member; a poison event is parked and reported a duplicate. */
  Outcome applyTo(String name, Projection projection, EventEnvelope envelope) {
    try {
      return projection.apply(envelope);
    } catch (MongoException e) {
      throw e;
    } catch (RuntimeException e) {
      log.error(
          "projection {} cannot apply {} seq {}; parked as a dead letter",
          name,
          envelope.stream(),
          envelope.seq(),
          e);
      deadLetters.park(name, positionOf(envelope), encoded(envelope), e);
      return Outcome.DUPLICATE;
    }
  }

  @Override
  public void flush() {
    members.values().forEach(Projection::flush);
  }

  @Override
  public void reset() {
    members.values().forEach(Projection::reset);
  }

  public List<String> names() {
    return List.copyOf(members.keySet());
  }

  public Optional<Projection> member(String name) {
    return Optional.ofNullable(members.get(name));
  }

  /** Puts {@code projection} in the place of the member named {@code name}. */
  public synchronized void replace(String name, Projection projection) {
    Map<String, Projection> next = new LinkedHashMap<>(members);
    if (next.replace(name, projection) == null) {
      throw new IllegalArgumentException("no projection " + name);
    }
    members = next;
  }

  /**
   * Applies a parked letter again: to its projection, or to every one for a record that could not
   * be decoded before. Returns whether it is settled (its letter can go); a failure parks it again.
   */
  public boolean retry(DeadLetter letter) {
    EventEnvelope envelope;
    try {
      envelope = codec.decode(letter.record().getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      deadLetters.park(letter.projection(), letter.position(), letter.record(), e);
      return false;
    }
    if (DeadLetters.ALL.equals(letter.projection())) {
      // Decodable now: each projection's own failure becomes a letter of its own.
      members.forEach(
          (name, projection) -> {
            if (projection.follows(envelope.event())) {
              applyTo(name, projection, envelope);
            }
          });
      return true;
    }
    Projection projection = members.get(letter.projection());
    if (projection == null) {
      return false;
    }
    try {
      projection.apply(envelope);
      return true;
    } catch (MongoException e) {
      throw e;
    } catch (RuntimeException e) {
      deadLetters.park(letter.projection(), letter.position(), letter.record(), e);
      return false;
    }
  }

  static String positionOf(EventEnvelope envelope) {
    return envelope.stream().streamId() + "#" + envelope.seq();
  }

  private String encoded(EventEnvelope envelope) {
    return new String(codec.encode(envelope), StandardCharsets.UTF_8);
  }
}
