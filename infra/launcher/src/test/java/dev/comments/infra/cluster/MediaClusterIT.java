package dev.comments.infra.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.dev.DevSecrets;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Media across a real cluster (a primary in us-west, a replica in eu-central, each its own
 * process): uploads through either node are stored by the primary and served by the replica's CDN,
 * which fills from the primary; a moderator's removal reaches every node's cache; bad uploads get
 * their stable codes on both nodes.
 */
class MediaClusterIT {
  private static final String TENANT = "demo";
  private static final String MEDIA = "/api/v1/tenants/demo/media";

  private static TestCluster cluster;
  private static ApiClient primary;
  private static ApiClient replica;
  private static String moderator;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start("us-west,eu-central", "5ms");
    primary = new ApiClient(cluster.nodes().get(0).path("http").asText());
    replica = new ApiClient(cluster.nodes().get(1).path("http").asText());
    moderator =
        DevSecrets.load(cluster.dataDir.resolve("secrets.properties"))
            .getProperty(DevSecrets.ADMIN);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void an_upload_to_the_primary_is_served_by_the_replica_with_its_cache_headers() throws Exception {
    byte[] png = image("png", 120, 80);

    Reply created = upload(primary, "image/png", png);

    assertThat(created.status()).isEqualTo(201);
    String mediaId = created.json().get("mediaId").asText();
    assertThat(created.json().get("url").asText()).isEqualTo("/cdn/v1/demo/" + mediaId);
    assertThat(created.json().get("width").asInt()).isEqualTo(120);
    assertThat(created.json().get("height").asInt()).isEqualTo(80);
    Reply served = awaitServed(replica, mediaId);
    assertThat(served.raw().body()).isEqualTo(png);
    assertThat(served.header("ETag")).isEqualTo("\"" + sha256(png) + "\"");
    assertThat(served.header("Content-Type")).isEqualTo("image/png");
    assertThat(served.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(served.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(cdn(primary, mediaId).raw().body()).isEqualTo(png);
  }

  @Test
  void an_upload_to_the_replica_is_forwarded_and_a_removal_empties_every_cache() throws Exception {
    byte[] gif = image("gif", 33, 17);

    Reply created = upload(replica, "image/gif", gif);

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("X-Forwarded-To")).isNotNull();
    String mediaId = created.json().get("mediaId").asText();
    assertThat(awaitServed(replica, mediaId).raw().body()).isEqualTo(gif);
    assertThat(awaitServed(primary, mediaId).raw().body()).isEqualTo(gif);

    Reply removed = replica.send("DELETE", MEDIA + "/" + mediaId, moderator, null);

    assertThat(removed.status()).isEqualTo(204);
    for (ApiClient node : new ApiClient[] {replica, primary}) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(cdn(node, mediaId).status()).isEqualTo(410));
      assertThat(cdn(node, mediaId).errorCode()).isEqualTo("media_removed");
    }
    assertThat(replica.send("DELETE", MEDIA + "/" + mediaId, "not-the-key-at-all", null).status())
        .isEqualTo(401);
  }

  @Test
  void bad_uploads_get_their_codes_on_both_nodes() throws Exception {
    byte[] png = image("png", 16, 16);
    byte[] cut = Arrays.copyOf(png, png.length - 4);
    byte[] svg = "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes();
    for (ApiClient node : new ApiClient[] {primary, replica}) {
      assertThat(upload(node, "image/gif", png).errorCode()).isEqualTo("media_type_mismatch");
      assertThat(upload(node, "image/png", cut).errorCode()).isEqualTo("media_truncated");
      assertThat(upload(node, "image/svg+xml", svg).status()).isEqualTo(415);
      assertThat(upload(node, "image/png", svg).errorCode()).isEqualTo("media_type_unsupported");
      Reply anonymous = node.sendBytes("POST", MEDIA, null, "image/png", png);
      assertThat(anonymous.status()).isEqualTo(401);
    }
  }

  private static Reply upload(ApiClient node, String type, byte[] body) {
    return node.sendBytes("POST", MEDIA, node.session(TENANT, "Uploader"), type, body);
  }

  private static Reply cdn(ApiClient node, String mediaId) {
    return node.send("GET", "/cdn/v1/demo/" + mediaId, null, null);
  }

  private static Reply awaitServed(ApiClient node, String mediaId) {
    Reply[] served = new Reply[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              served[0] = cdn(node, mediaId);
              return served[0].status() == 200;
            });
    return served[0];
  }

  static byte[] image(String type, int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        image.setRGB(x, y, (x * 31 + y * 17) * 0x010101);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, type, out);
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
