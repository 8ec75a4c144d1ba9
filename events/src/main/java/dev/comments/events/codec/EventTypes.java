package dev.comments.events.codec;

import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentVoted;
import dev.comments.events.LoggedEvent;
import dev.comments.events.MediaRemoved;
import dev.comments.events.MediaUploaded;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.UserBanned;
import dev.comments.events.UserUnbanned;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry of event types: the stable name each is known by on the wire and in the store, and
 * its current schema version. Raise a version together with an {@link Upcaster} from the old one
 * and a golden fixture of the new one.
 */
public final class EventTypes {
  /** An event type: its wire name, its Java class and the version that class writes. */
  public record EventType(String name, Class<? extends LoggedEvent> javaType, int version) {}

  private static final List<EventType> ALL =
      List.of(
          new EventType("CommentPosted", CommentPosted.class, 5),
          new EventType("CommentEdited", CommentEdited.class, 2),
          new EventType("CommentDeleted", CommentDeleted.class, 1),
          new EventType("CommentVoted", CommentVoted.class, 1),
          new EventType("CommentFlagged", CommentFlagged.class, 1),
          new EventType("ThreadLocked", ThreadLocked.class, 1),
          new EventType("ThreadUnlocked", ThreadUnlocked.class, 1),
          new EventType("CommentModerated", CommentModerated.class, 1),
          new EventType("CommentHeld", CommentHeld.class, 1),
          new EventType("MediaUploaded", MediaUploaded.class, 1),
          new EventType("MediaRemoved", MediaRemoved.class, 1),
          new EventType("UserBanned", UserBanned.class, 1),
          new EventType("UserUnbanned", UserUnbanned.class, 1));

  private static final Map<String, EventType> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(EventType::name, Function.identity()));
  private static final Map<Class<?>, EventType> BY_CLASS =
      ALL.stream().collect(Collectors.toUnmodifiableMap(EventType::javaType, Function.identity()));

  private EventTypes() {}

  public static List<EventType> all() {
    return ALL;
  }

  public static Optional<EventType> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  public static EventType of(Class<?> javaType) {
    EventType type = BY_CLASS.get(javaType);
    if (type == null) {
      throw new IllegalArgumentException("not an event type: " + javaType.getName());
    }
    return type;
  }

  public static EventType of(LoggedEvent event) {
    return of(event.getClass());
  }
}
