package dev.comments.infra.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.comments.command.media.MediaBlobs;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.dev.DevSecrets;
import dev.comments.infra.node.NodeProperties;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Media across a real cluster (a primary in us-west, a replica in eu-central, each its own
 * process): uploads through either node are stored by the primary and served by the replica's CDN,
 * which fills from the primary; a moderator's removal reaches every node's cache; bad uploads get
 * their stable codes on both nodes. Comments show uploaded images on every node until a moderator
 * removes them, and a comment naming media it cannot show is refused on both nodes.
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

  @Test
  void an_upload_over_the_limit_is_refused_while_it_streams_and_leaves_nothing_stored()
      throws Exception {
    byte[] png = image("png", 16, 16);
    long[] before = stored();
    for (ApiClient node : new ApiClient[] {primary, replica}) {
      for (boolean chunked : new boolean[] {true, false}) {
        String as = node.baseUrl() + (chunked ? " chunked" : " with Content-Length");
        Streamed refused;
        try {
          refused = streamUpload(node, png, chunked);
        } catch (IOException e) {
          throw new AssertionError(as + ": no answer", e);
        }

        assertThat(refused.status()).as(as).isEqualTo(413);
        assertThat(refused.body()).as(as).contains("\"media_too_large\"");
        // Answered long before the client was done: a chunked body is cut just past the limit
        // (plus what the sockets buffer), a declared one before its first byte is read.
        assertThat(refused.sentWhenAnswered()).as(as).isLessThan(chunked ? 3 * LIMIT : LIMIT);
      }
    }
    // A replica answers 413 as soon as its count passes the limit; the primary, still reading the
    // forwarded stream, deletes what it wrote once that stream ends: wait for it, never assume it.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(stored()).isEqualTo(before));
  }

  @Test
  void a_chunked_upload_of_more_than_a_json_body_is_taken_on_both_nodes() throws Exception {
    // Regression: Undertow fixes its chunked-body cap when it parses the head, so the server-wide
    // cap of JSON bodies (64 KiB and a drain allowance) cut every chunked upload past ~1 MiB.
    BufferedImage noise = new BufferedImage(900, 700, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(12);
    for (int x = 0; x < noise.getWidth(); x++) {
      for (int y = 0; y < noise.getHeight(); y++) {
        noise.setRGB(x, y, random.nextInt());
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(noise, "png", png);
    assertThat(png.size()).isGreaterThan(3 << 19);
    for (ApiClient node : new ApiClient[] {primary, replica}) {
      Streamed taken = sendChunked(node, png.toByteArray());

      assertThat(taken.status()).as(node.baseUrl() + " " + taken.body()).isEqualTo(201);
      assertThat(taken.body()).contains("\"size\":" + png.size());
    }
  }

  @Test
  void a_comment_shows_an_uploaded_image_on_every_node_until_a_moderator_removes_it()
      throws Exception {
    byte[] png = image("png", 40, 30);
    String mediaId = upload(primary, "image/png", png).json().get("mediaId").asText();
    String token = replica.session(TENANT, "Painter");

    Reply posted = postWithMedia(replica, token, "pictures", "[" + ApiClient.quote(mediaId) + "]");

    assertThat(posted.status()).as(posted.json().toString()).isEqualTo(201);
    String commentId = posted.json().get("commentId").asText();
    String[] tags = new String[2];
    ApiClient[] nodes = {primary, replica};
    for (int n = 0; n < nodes.length; n++) {
      ApiClient node = nodes[n];
      int at = n;
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                Reply page = node.thread(TENANT, "pictures", "readPreference=nearest", null);
                JsonNode media = commentOf(page, commentId).get("media");
                assertThat(media).hasSize(1);
                assertThat(media.get(0).get("mediaId").asText()).isEqualTo(mediaId);
                assertThat(media.get(0).get("url").asText()).isEqualTo("/cdn/v1/demo/" + mediaId);
                assertThat(media.get(0).get("contentType").asText()).isEqualTo("image/png");
                assertThat(media.get(0).get("width").asInt()).isEqualTo(40);
                assertThat(media.get(0).get("height").asInt()).isEqualTo(30);
                tags[at] = page.header("ETag");
              });
      // The url the page names is served by that node's CDN.
      assertThat(awaitServed(node, mediaId).raw().body()).isEqualTo(png);
    }

    Reply removed = primary.send("DELETE", MEDIA + "/" + mediaId, moderator, null);

    assertThat(removed.status()).isEqualTo(204);
    for (int n = 0; n < nodes.length; n++) {
      ApiClient node = nodes[n];
      String tagBefore = tags[n];
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                Reply page = node.thread(TENANT, "pictures", "readPreference=nearest", null);
                assertThat(commentOf(page, commentId).get("media")).isEmpty();
                assertThat(page.header("ETag")).isNotEqualTo(tagBefore);
              });
      Reply again = postWithMedia(node, token, "pictures", "[" + ApiClient.quote(mediaId) + "]");
      assertThat(again.status()).isEqualTo(422);
      assertThat(again.errorCode()).isEqualTo("media_removed");
    }
  }

  @Test
  void a_comment_naming_media_it_cannot_show_is_refused_with_its_code_on_both_nodes()
      throws Exception {
    String real = upload(primary, "image/png", image("png", 8, 8)).json().get("mediaId").asText();
    String never = ApiClient.quote("0".repeat(32));
    for (ApiClient node : new ApiClient[] {primary, replica}) {
      String token = node.session(TENANT, "Refused");
      Reply unknown = postWithMedia(node, token, "refused", "[" + never + "]");
      assertThat(unknown.status()).isEqualTo(422);
      assertThat(unknown.errorCode()).isEqualTo("unknown_media");
      assertThat(postWithMedia(node, token, "refused", "[\"../x\"]").errorCode())
          .isEqualTo("invalid_media_id");
      assertThat(postWithMedia(node, token, "refused", "[7]").errorCode())
          .isEqualTo("invalid_media_id");
      String twice = "[" + ApiClient.quote(real) + "," + ApiClient.quote(real) + "]";
      assertThat(postWithMedia(node, token, "refused", twice).errorCode())
          .isEqualTo("duplicate_media");
      String five = "[" + String.join(",", java.util.Collections.nCopies(5, never)) + "]";
      Reply tooMany = postWithMedia(node, token, "refused", five);
      assertThat(tooMany.status()).isEqualTo(400);
      assertThat(tooMany.errorCode()).isEqualTo("too_many_media");
      assertThat(postWithMedia(node, token, "refused", ApiClient.quote(real)).errorCode())
          .isEqualTo("invalid_field");
    }
    // Nothing refused was stored: the thread was never written.
    assertThat(primary.thread(TENANT, "refused", null, null).status()).isEqualTo(404);
  }

  private static Reply postWithMedia(ApiClient node, String token, String thread, String media) {
    return node.send(
        "POST",
        "/api/v1/tenants/demo/threads/" + thread + "/comments",
        token,
        "{\"text\":\"with media\",\"media\":" + media + "}");
  }

  private static JsonNode commentOf(Reply page, String commentId) {
    assertThat(page.status()).isEqualTo(200);
    for (JsonNode comment : page.json().get("comments")) {
      if (comment.get("id").asText().equals(commentId)) {
        return comment;
      }
    }
    throw new AssertionError("no comment " + commentId + " in " + page.json());
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

  /** The default limit of an upload ({@code comments.cdn.max-upload-bytes}). */
  private static final long LIMIT = 10L * 1024 * 1024;

  /** What a client that sends far more than the limit sees: the answer, and how far it got. */
  private record Streamed(int status, String body, long sentWhenAnswered) {}

  /**
   * Sends an upload of 8 × the limit (a real PNG's first bytes, then zeros), chunked or with its
   * length declared, from its own thread, and reads the answer as it comes, noting how many bytes
   * had gone out by then.
   */
  private static Streamed streamUpload(ApiClient node, byte[] png, boolean chunked)
      throws Exception {
    String token = node.session(TENANT, "Flooder");
    URI base = URI.create(node.baseUrl());
    long total = 8 * LIMIT;
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + MEDIA
                  + " HTTP/1.1\r\nHost: "
                  + base.getAuthority()
                  + "\r\nAuthorization: Bearer "
                  + token
                  + "\r\nContent-Type: image/png\r\n"
                  + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + total)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      AtomicLong sent = new AtomicLong();
      Thread sender =
          Thread.ofVirtual()
              .start(
                  () -> {
                    byte[] piece = new byte[64 * 1024];
                    System.arraycopy(png, 0, piece, 0, Math.min(64, png.length));
                    try {
                      while (sent.get() < total) {
                        if (chunked) {
                          out.write(
                              (Integer.toHexString(piece.length) + "\r\n")
                                  .getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write(piece);
                        if (chunked) {
                          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        sent.addAndGet(piece.length);
                        Arrays.fill(piece, 0, 64, (byte) 0);
                      }
                      if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                      }
                    } catch (IOException closedByTheServer) {
                      // What the edge does once it has answered.
                    }
                  });
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      long sentWhenAnswered = sent.get();
      int length = 0;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(header.substring(15).trim());
        }
      }
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      socket.close();
      sender.join(Duration.ofSeconds(30));
      return new Streamed(Integer.parseInt(statusLine.split(" ")[1]), body, sentWhenAnswered);
    }
  }

  /** Sends a whole PNG as a chunked body, in pieces of 64 KiB, then reads the answer. */
  private static Streamed sendChunked(ApiClient node, byte[] png) throws IOException {
    String token = node.session(TENANT, "Chunker");
    URI base = URI.create(node.baseUrl());
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + MEDIA
                  + " HTTP/1.1\r\nHost: "
                  + base.getAuthority()
                  + "\r\nAuthorization: Bearer "
                  + token
                  + "\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (int at = 0; at < png.length; at += 64 * 1024) {
        int length = Math.min(64 * 1024, png.length - at);
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(png, at, length);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      int length = 0;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(header.substring(15).trim());
        }
      }
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      return new Streamed(Integer.parseInt(statusLine.split(" ")[1]), body, png.length);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("closed before the end of the answer's head: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** The primary's stored media: files, and chunks (of finished and unfinished uploads). */
  private static long[] stored() throws Exception {
    String uri = cluster.nodes().get(0).path("mongo").asText();
    try (MongoClient mongo = MongoClients.create(uri)) {
      MongoDatabase events = mongo.getDatabase(NodeProperties.Mongo.DEFAULT_COMMAND_DATABASE);
      return new long[] {
        events.getCollection(MediaBlobs.FILES).countDocuments(),
        events.getCollection(MediaBlobs.CHUNKS).countDocuments()
      };
    }
  }
}
