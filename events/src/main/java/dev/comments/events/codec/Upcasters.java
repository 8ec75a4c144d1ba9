package dev.comments.events.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.Author;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/** Every upcaster of the contract, chained so that any stored version reaches the current one. */
public final class Upcasters {
  /** Version 2 of {@code CommentPosted} replaced {@code authorId} with a full author and name. */
  static final Upcaster COMMENT_POSTED_V1_TO_V2 =
      commentPosted(
          1,
          payload -> {
            String authorId = payload.remove("authorId").asText();
            ObjectNode author = payload.objectNode();
            author.put("kind", "anonymous");
            author.put("id", authorId);
            author.put("name", Author.ANONYMOUS_NAME);
            payload.set("author", author);
            return payload;
          });

  /** Version 3 of {@code CommentPosted} added its status: every earlier comment was shown. */
  static final Upcaster COMMENT_POSTED_V2_TO_V3 =
      commentPosted(2, payload -> payload.put("status", "approved"));

  /** Version 4 of {@code CommentPosted} added the media it shows: no earlier comment showed any. */
  static final Upcaster COMMENT_POSTED_V3_TO_V4 =
      commentPosted(
          3,
          payload -> {
            payload.putArray("media");
            return payload;
          });

  /** Version 5 of {@code CommentPosted} added the page it was written on: none was known before. */
  static final Upcaster COMMENT_POSTED_V4_TO_V5 =
      commentPosted(4, payload -> payload.putNull("page"));

  /**
   * Version 2 of {@code CommentEdited} may replace the comment's media; null keeps them, as every
   * earlier edit did.
   */
  static final Upcaster COMMENT_EDITED_V1_TO_V2 =
      step("CommentEdited", 1, payload -> payload.putNull("media"));

  private static final Map<String, Upcaster> CHAIN =
      List.of(
              COMMENT_POSTED_V1_TO_V2,
              COMMENT_POSTED_V2_TO_V3,
              COMMENT_POSTED_V3_TO_V4,
              COMMENT_POSTED_V4_TO_V5,
              COMMENT_EDITED_V1_TO_V2)
          .stream()
          .collect(
              Collectors.toUnmodifiableMap(
                  u -> u.eventType() + "@" + u.fromVersion(), Function.identity()));

  private Upcasters() {}

  /**
   * Brings a payload from {@code version} to the current version of its type.
   *
   * @throws EventDecodingException if the type is unknown, the version is newer than this code
   *     knows, or a step of the chain is missing
   */
  public static ObjectNode toCurrent(String type, int version, ObjectNode payload) {
    int current =
        EventTypes.byName(type)
            .orElseThrow(() -> new EventDecodingException("unknown event type: " + type))
            .version();
    if (version < 1 || version > current) {
      throw new EventDecodingException(
          "cannot read " + type + " version " + version + "; this code knows 1.." + current);
    }
    ObjectNode node = payload.deepCopy();
    for (int v = version; v < current; v++) {
      Upcaster step = CHAIN.get(type + "@" + v);
      if (step == null) {
        throw new EventDecodingException("no upcaster for " + type + " version " + v);
      }
      node = step.upcast(node);
    }
    return node;
  }

  /** The step of {@code CommentPosted} from {@code fromVersion} to the next. */
  private static Upcaster commentPosted(int fromVersion, UnaryOperator<ObjectNode> step) {
    return step("CommentPosted", fromVersion, step);
  }

  /** The step of {@code eventType} from {@code fromVersion} to the next. */
  private static Upcaster step(String eventType, int fromVersion, UnaryOperator<ObjectNode> step) {
    return new Upcaster() {
      @Override
      public String eventType() {
        return eventType;
      }

      @Override
      public int fromVersion() {
        return fromVersion;
      }

      @Override
      public ObjectNode upcast(ObjectNode payload) {
        return step.apply(payload);
      }
    };
  }
}
