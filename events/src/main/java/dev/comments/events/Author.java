package dev.comments.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Who wrote a comment: a signed-in user or an anonymous session, with the name shown beside it.
 *
 * @param kind whether {@code id} names a user account or an anonymous session
 * @param id the user id or the anonymous session id
 * @param name the display name at the time of writing
 */
public record Author(Kind kind, String id, String name) {
  public static final String ANONYMOUS_NAME = "Anonymous";

  public enum Kind {
    @JsonProperty("user")
    USER,
    @JsonProperty("anonymous")
    ANONYMOUS
  }

  public Author {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }

  public static Author anonymous(String sessionId, String name) {
    return new Author(Kind.ANONYMOUS, sessionId, name);
  }
}
