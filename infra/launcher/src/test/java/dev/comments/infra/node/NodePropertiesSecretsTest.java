package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.security.KeyRing;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Every secret is refused when it is a placeholder, short, malformed or shared between purposes.
 */
class NodePropertiesSecretsTest {
  static final String SESSION_SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  static final String CONSISTENCY_SECRET = "Y29uc2lzdGVuY3kgc2VjcmV0IG9mIDMyIGJ5dGVzIS4=";
  static final String CLUSTER_SECRET = "Y2x1c3RlciBrZXkgc2VjcmV0IG9mIDMyIGJ5dGVzIS4=";

  /** A usable key for each purpose and a moderator key: the settings a node cannot go without. */
  static Map<String, String> validKeys() {
    Map<String, String> keys = new HashMap<>();
    keys.put("comments.sessions.keys.current.id", "s1");
    keys.put("comments.sessions.keys.current.secret", SESSION_SECRET);
    keys.put("comments.consistency.keys.current.id", "c1");
    keys.put("comments.consistency.keys.current.secret", CONSISTENCY_SECRET);
    keys.put("comments.cluster.keys.current.id", "k1");
    keys.put("comments.cluster.keys.current.secret", CLUSTER_SECRET);
    keys.put("comments.tenants.demo.moderator-key", "a-long-moderator-key");
    return keys;
  }

  @Test
  void binds_each_purpose_to_its_own_ring_with_previous_keys_and_their_windows() {
    NodeProperties properties =
        bind(
            Map.of(
                "comments.sessions.keys.previous[0].id", "s0",
                "comments.sessions.keys.previous[0].secret", CLUSTER_SECRET.replace('Y', 'Z'),
                "comments.sessions.keys.previous[0].accept-until", "2026-12-31T00:00:00Z"));

    KeyRing sessions = properties.sessions().keys().toKeyRing();
    assertThat(sessions.current().id()).isEqualTo("s1");
    assertThat(sessions.verifying("s0", Instant.parse("2026-12-30T23:59:59Z"))).isPresent();
    assertThat(sessions.verifying("s0", Instant.parse("2026-12-31T00:00:00Z"))).isEmpty();
    assertThat(properties.consistency().keys().toKeyRing().current().id()).isEqualTo("c1");
    assertThat(properties.cluster().keys().toKeyRing().current().id()).isEqualTo("k1");
  }

  @Test
  void refuses_placeholders_in_any_case_naming_every_setting_at_once() {
    assertRefused(
        Map.of(
            "comments.sessions.keys.current.secret", "CHANGE-ME: openssl rand -base64 32",
            "comments.cluster.keys.current.secret", "please-change-me-0123456789abcdefghijklmnop",
            "comments.tenants.demo.moderator-key", "Change-Me-to-a-long-random-key"),
        "comments.sessions.keys.current.secret still holds the placeholder",
        "comments.cluster.keys.current.secret still holds the placeholder",
        "comments.tenants.demo.moderator-key still holds the placeholder");
  }

  @Test
  void refuses_short_malformed_and_missing_secrets() {
    assertRefused(
        Map.of(
            "comments.sessions.keys.current.secret", "c2hvcnQ=",
            "comments.consistency.keys.current.secret", "not base64 at all!",
            "comments.tenants.demo.moderator-key", "short"),
        "comments.sessions.keys.current.secret must hold at least 32 bytes, has 5",
        "comments.consistency.keys.current.secret is not base64",
        "comments.tenants.demo.moderator-key must be at least 16 characters");
    Map<String, String> noCluster = validKeys();
    noCluster.remove("comments.cluster.keys.current.id");
    noCluster.remove("comments.cluster.keys.current.secret");
    assertThatThrownBy(() -> bindAll(noCluster))
        .rootCause()
        .hasMessageContaining("comments.cluster.keys.current is required");
  }

  @Test
  void refuses_one_secret_for_two_purposes() {
    assertRefused(
        Map.of("comments.cluster.keys.current.secret", SESSION_SECRET),
        "comments.cluster.keys.current.secret is the same as"
            + " comments.sessions.keys.current.secret");
  }

  @Test
  void refuses_previous_keys_without_a_window_or_with_a_reused_id() {
    assertRefused(
        Map.of(
            "comments.consistency.keys.previous[0].id", "c1",
            "comments.consistency.keys.previous[0].secret", CLUSTER_SECRET.replace('Y', 'Z'),
            "comments.consistency.keys.previous[1].id", "c0",
            "comments.consistency.keys.previous[1].secret", CLUSTER_SECRET.replace('Y', 'W'),
            "comments.consistency.keys.previous[1].accept-until", "next tuesday"),
        "comments.consistency.keys.previous[0].id c1 is used by another key",
        "comments.consistency.keys.previous[0].accept-until is required",
        "comments.consistency.keys.previous[1].accept-until must be an ISO-8601 instant");
  }

  private static void assertRefused(Map<String, String> settings, String... messages) {
    assertThatThrownBy(() -> bind(settings))
        .rootCause()
        .hasMessageStartingWith("refusing to start with unusable secrets")
        .satisfies(e -> assertThat(e.getMessage()).contains(messages));
  }

  private static NodeProperties bind(Map<String, String> settings) {
    Map<String, String> all = validKeys();
    all.putAll(settings);
    return bindAll(all);
  }

  /** {@code settings} bound with what else a node needs: store, broker, valid keys, a tenant. */
  static NodeProperties bindWithDefaults(Map<String, String> settings) {
    Map<String, String> all = validKeys();
    all.put("comments.tenants.demo.moderator-key", "a-long-moderator-key");
    all.putAll(settings);
    return bindAll(all);
  }

  private static NodeProperties bindAll(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("comments.mongo.uri", "mongodb://127.0.0.1:27017");
    all.put("comments.kafka.bootstrap-servers", "127.0.0.1:9092");
    return new Binder(new MapConfigurationPropertySource(all))
        .bind("comments", NodeProperties.class)
        .get();
  }
}
