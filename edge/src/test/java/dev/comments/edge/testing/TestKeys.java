package dev.comments.edge.testing;

import dev.comments.edge.EdgeKeys;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import java.nio.charset.StandardCharsets;

/** One key per purpose, each different, as a deployment would have them. */
public final class TestKeys {
  public static final SigningKey SESSION = key("s1", "a session test secret of 32+ bytes!");
  public static final SigningKey CONSISTENCY = key("c1", "a consistency test secret, 32+ bytes");
  public static final SigningKey CLUSTER = key("k1", "a cluster test secret of 32+ bytes!!");

  private TestKeys() {}

  public static EdgeKeys edgeKeys() {
    return new EdgeKeys(KeyRing.of(SESSION), KeyRing.of(CONSISTENCY), KeyRing.of(CLUSTER));
  }

  public static SigningKey key(String id, String secret) {
    return new SigningKey(id, secret.getBytes(StandardCharsets.UTF_8));
  }
}
