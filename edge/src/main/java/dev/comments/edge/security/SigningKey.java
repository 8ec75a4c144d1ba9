package dev.comments.edge.security;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One secret and the id tokens name it by ({@code kid}), so that a node can tell which of its keys
 * a token was signed with and keys can be replaced without a flag day.
 *
 * @param id 1 to 32 characters of {@code [A-Za-z0-9_-]}: safe in a JWS header, a URL and a header
 * @param secret at least {@value #MIN_SECRET_BYTES} bytes
 */
public record SigningKey(String id, byte[] secret) {
  public static final int MIN_SECRET_BYTES = 32;
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public SigningKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a key id must be 1 to 32 of [A-Za-z0-9_-], not " + id);
    }
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "key " + id + " must hold at least " + MIN_SECRET_BYTES + " bytes");
    }
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SigningKey that
        && id.equals(that.id)
        && Arrays.equals(secret, that.secret);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SigningKey[id=" + id + ", secret=<redacted>]";
  }
}
