package dev.comments.events.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Lifts the payload of one event type from one schema version to the next. A pure function: it may
 * not look anything up, so that every node upcasts every stored or replicated event the same way.
 */
public interface Upcaster {
  String eventType();

  /** The version this upcaster reads; it writes {@code fromVersion() + 1}. */
  int fromVersion();

  /**
   * Returns the payload at the next version; the argument is a copy and may be changed in place.
   */
  ObjectNode upcast(ObjectNode payload);
}
