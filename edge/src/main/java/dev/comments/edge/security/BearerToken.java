package dev.comments.edge.security;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code Authorization: Bearer <token>}; says apart "absent" from "not a bearer token". */
public final class BearerToken {
  private static final Pattern BEARER = Pattern.compile("(?i)Bearer +(\\S{1,4096})");

  private BearerToken() {}

  public sealed interface Result {}

  public record Absent() implements Result {}

  public record Malformed(String reason) implements Result {}

  public record Present(String token) implements Result {}

  public static Result of(HttpServerExchange exchange) {
    HeaderValues values = exchange.getRequestHeaders().get(Headers.AUTHORIZATION);
    if (values == null || values.isEmpty()) {
      return new Absent();
    }
    if (values.size() > 1) {
      return new Malformed("more than one Authorization header");
    }
    Matcher matcher = BEARER.matcher(values.getFirst().strip());
    if (!matcher.matches()) {
      return new Malformed("the Authorization header must be 'Bearer <token>'");
    }
    return new Present(matcher.group(1));
  }

  public static Optional<String> present(Result result) {
    return result instanceof Present(String token) ? Optional.of(token) : Optional.empty();
  }
}
