package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.edge.testing.PrimaryEdge;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.ThreadPage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JSON answers are gzipped for clients that accept it; small ones and other clients get plain. */
class JsonCompressionTest {
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final String PAGE = "/api/v1/tenants/demo/threads/t1/comments";
  private static final Instant T = Instant.parse("2026-03-01T11:00:00Z");

  private PrimaryEdge edge;

  @BeforeEach
  void start() {
    edge = PrimaryEdge.start(Map.of("demo", new TenantSettings("demo-moderator-key-0001")));
    List<CommentView> comments = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      comments.add(
          new CommentView(
              "c" + i,
              null,
              Author.anonymous("s-" + i, "Reader " + i),
              "A comment of a few words, number " + i + ", as readers write them.",
              T,
              null,
              false,
              i,
              0,
              VoteDirection.NONE,
              List.of(),
              null,
              CommentStatus.APPROVED,
              false,
              List.of()));
    }
    edge.queries.pages.put(T1, new ThreadPage(comments, null, 50));
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  @Test
  void a_page_is_gzipped_for_a_client_that_accepts_it_and_plain_for_one_that_does_not()
      throws Exception {
    HttpResponse<byte[]> plain = get(PAGE, null);
    HttpResponse<byte[]> gzipped = get(PAGE, "gzip, deflate, br");

    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(gzipped.statusCode()).isEqualTo(200);
    assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(gzipped.headers().allValues("Vary")).contains("Accept-Encoding");
    assertThat(gzipped.body().length).isLessThan(plain.body().length / 3);
    assertThat(gunzip(gzipped.body())).isEqualTo(plain.body());
  }

  @Test
  void a_small_json_answer_goes_plain_even_when_gzip_is_accepted() throws Exception {
    HttpResponse<byte[]> notFound = get("/api/v1/tenants/nobody/threads/t1/comments", "gzip");

    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(new String(notFound.body(), StandardCharsets.UTF_8)).contains("\"code\"");
  }

  private HttpResponse<byte[]> get(String path, String acceptEncoding)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = edge.at(path);
    if (acceptEncoding != null) {
      request.header("Accept-Encoding", acceptEncoding);
    }
    return edge.send(request, BodyHandlers.ofByteArray());
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }
}
