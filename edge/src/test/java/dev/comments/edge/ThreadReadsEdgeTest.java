package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.testing.PrimaryEdge;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.InvalidCursorException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Thread reads at the edge: entity tags, bounded reply trees and the replies route. */
class ThreadReadsEdgeTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final String PAGE = "/api/v1/tenants/demo/threads/t1/comments";
  private static final String REPLIES = "/api/v1/tenants/demo/threads/t1/comments/c1/replies";
  private static final Instant T = Instant.parse("2026-03-01T11:00:00Z");

  private PrimaryEdge edge;
  private RecordingQueries queries;

  @BeforeEach
  void start() {
    edge = PrimaryEdge.start(Map.of("demo", new TenantSettings("demo-moderator-key-0001")));
    queries = edge.queries;
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  private static CommentView comment(
      String id, String parentId, VoteDirection myVote, List<CommentView> replies, String more) {
    return new CommentView(
        id,
        parentId,
        Author.anonymous("s-" + id, "Name"),
        "text of " + id,
        T,
        null,
        false,
        1,
        0,
        myVote,
        replies,
        more,
        CommentStatus.APPROVED,
        false,
        List.of());
  }

  /** c1 with the reply c2 (which has c3), and c4; the viewer's votes as given. */
  private static ThreadPage page(long seq, VoteDirection c1, VoteDirection c3) {
    CommentView c3View = comment("c3", "c2", c3, List.of(), null);
    CommentView c2View = comment("c2", "c1", VoteDirection.NONE, List.of(c3View), null);
    return new ThreadPage(
        List.of(
            comment("c1", null, c1, List.of(c2View), "more-of-c1"),
            comment("c4", null, VoteDirection.NONE, List.of(), null)),
        null,
        seq);
  }

  @Test
  void a_page_carries_the_viewers_votes_in_its_whole_tree_and_a_cursor_to_more_replies()
      throws Exception {
    queries.pages.put(T1, page(7, VoteDirection.UP, VoteDirection.DOWN));

    Reply reply = get(PAGE + "?replyLimit=3");

    assertThat(reply.status()).isEqualTo(200);
    JsonNode c1 = reply.json().get("comments").get(0);
    assertThat(c1.get("myVote").textValue()).isEqualTo("up");
    assertThat(c1.get("repliesNextCursor").textValue()).isEqualTo("more-of-c1");
    JsonNode c2 = c1.get("replies").get(0);
    assertThat(c2.get("myVote").textValue()).isEqualTo("none");
    assertThat(c2.get("replies").get(0).get("myVote").textValue()).isEqualTo("down");
    assertThat(reply.json().get("comments").get(1).get("myVote").textValue()).isEqualTo("none");
    assertThat(reply.json().get("comments").get(1).get("repliesNextCursor").isNull()).isTrue();
    assertThat(queries.finds.getLast().query().replyLimit()).isEqualTo(3);

    assertThat(get(PAGE).status()).isEqualTo(200);
    assertThat(queries.finds.getLast().query().replyLimit())
        .isEqualTo(FindThreadComments.DEFAULT_REPLY_LIMIT);
    assertThat(get(PAGE + "?replyLimit=0").status()).isEqualTo(200);
    assertThat(get(PAGE + "?replyLimit=100").status()).isEqualTo(200);
  }

  @Test
  void an_etag_names_the_threads_event_the_query_and_the_viewers_votes() throws Exception {
    queries.pages.put(T1, page(7, VoteDirection.UP, VoteDirection.NONE));

    Reply first = get(PAGE);
    String etag = first.header("ETag");
    Reply unchanged = get(PAGE, "If-None-Match", etag);
    Reply weakOrListed = get(PAGE, "If-None-Match", "\"other\", W/" + etag);
    Reply otherQuery = get(PAGE + "?limit=5", "If-None-Match", etag);
    queries.pages.put(T1, page(7, VoteDirection.DOWN, VoteDirection.NONE));
    Reply otherVotes = get(PAGE, "If-None-Match", etag);
    queries.pages.put(T1, page(8, VoteDirection.UP, VoteDirection.NONE));
    Reply newerEvent = get(PAGE, "If-None-Match", etag);

    assertThat(etag).matches("\"7-[A-Za-z0-9_-]+-[A-Za-z0-9_-]+\"");
    assertThat(unchanged.status()).isEqualTo(304);
    assertThat(unchanged.body()).isEmpty();
    assertThat(unchanged.header("ETag")).isEqualTo(etag);
    assertThat(weakOrListed.status()).isEqualTo(304);
    assertThat(otherQuery.status()).isEqualTo(200);
    assertThat(otherQuery.header("ETag")).isNotEqualTo(etag);
    assertThat(otherVotes.status()).isEqualTo(200);
    assertThat(otherVotes.json().get("comments").get(0).get("myVote").textValue())
        .isEqualTo("down");
    assertThat(newerEvent.status()).isEqualTo(200);
    assertThat(newerEvent.header("ETag")).startsWith("\"8-");
  }

  @Test
  void an_anonymous_nearest_page_held_in_memory_is_answered_as_before_without_building_it()
      throws Exception {
    queries.pages.put(T1, page(7, VoteDirection.NONE, VoteDirection.NONE));
    queries.heldInMemory = true;
    String nearest = PAGE + "?readPreference=nearest";

    Reply built = get(nearest);
    Reply fromMemory = get(nearest);
    Reply notModified = get(nearest, "If-None-Match", built.header("ETag"));
    int findsFromMemory = queries.finds.size();
    Reply primary = get(PAGE);
    queries.pages.put(T1, page(8, VoteDirection.NONE, VoteDirection.NONE));
    Reply newerEvent = get(nearest);

    assertThat(findsFromMemory).isEqualTo(1);
    assertThat(fromMemory.status()).isEqualTo(200);
    assertThat(fromMemory.body()).isEqualTo(built.body());
    for (String header :
        List.of("ETag", "X-Thread-Position", "X-Read-Preference", "Content-Type")) {
      assertThat(fromMemory.header(header)).as(header).isEqualTo(built.header(header));
    }
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(primary.status()).isEqualTo(200);
    assertThat(newerEvent.header("ETag")).startsWith("\"8-");
    assertThat(queries.finds).hasSize(3);
  }

  @Test
  void a_readers_page_is_answered_from_memory_with_their_votes_once_the_node_holds_them()
      throws Exception {
    // What a worker builds for this viewer: their up vote on c1, their down vote on c3.
    queries.pages.put(T1, page(7, VoteDirection.UP, VoteDirection.DOWN));
    queries.heldInMemory = true;
    String nearest = PAGE + "?readPreference=nearest";
    String token = sessionToken("Ada");
    String bearer = "Bearer " + token;

    Reply built = get(nearest, "Authorization", bearer);
    queries.heldVotes.put(
        sessionIdOf(token), Map.of("c1", VoteDirection.UP, "c3", VoteDirection.DOWN));
    Reply fromMemory = get(nearest, "Authorization", bearer);
    Reply notModified =
        get(nearest, "Authorization", bearer, "If-None-Match", built.header("ETag"));
    Reply anonymous = get(nearest);
    int finds = queries.finds.size();
    Reply badToken = get(nearest, "Authorization", "Bearer not-a-token");

    assertThat(finds).as("only the read before the votes were held built the page").isEqualTo(1);
    assertThat(fromMemory.status()).isEqualTo(200);
    assertThat(fromMemory.body()).isEqualTo(built.body());
    for (String header :
        List.of("ETag", "X-Thread-Position", "X-Read-Preference", "Content-Type")) {
      assertThat(fromMemory.header(header)).as(header).isEqualTo(built.header(header));
    }
    JsonNode c1 = fromMemory.json().get("comments").get(0);
    assertThat(c1.get("myVote").textValue()).isEqualTo("up");
    assertThat(c1.get("replies").get(0).get("replies").get(0).get("myVote").textValue())
        .isEqualTo("down");
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(anonymous.json().get("comments").get(0).get("myVote").textValue()).isEqualTo("none");
    assertThat(anonymous.header("ETag")).isNotEqualTo(built.header("ETag"));
    assertError(badToken, 401, "session_invalid");
  }

  @Test
  void the_replies_route_pages_one_comments_tree() throws Exception {
    CommentView r2 = comment("r2", "r1", VoteDirection.UP, List.of(), null);
    queries.replies.put(
        "demo/t1/c1",
        new RepliesPage(
            List.of(comment("r1", "c1", VoteDirection.NONE, List.of(r2), null)), "next-r", 4));

    Reply reply = get(REPLIES + "?limit=5&cursor=abc&readPreference=nearest");
    Reply again =
        get(
            REPLIES + "?limit=5&cursor=abc&readPreference=nearest",
            "If-None-Match",
            reply.header("ETag"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("nextCursor").textValue()).isEqualTo("next-r");
    JsonNode r1 = reply.json().get("replies").get(0);
    assertThat(r1.get("id").textValue()).isEqualTo("r1");
    assertThat(r1.get("replies").get(0).get("myVote").textValue()).isEqualTo("up");
    assertThat(reply.header("ETag")).startsWith("\"4-");
    assertThat(again.status()).isEqualTo(304);
    RecordingQueries.FindMoreReplies find = queries.replyFinds.getFirst();
    assertThat(find.query().threadId()).isEqualTo(T1);
    assertThat(find.query().commentId()).isEqualTo("c1");
    assertThat(find.query().limit()).isEqualTo(5);
    assertThat(find.query().cursor()).isEqualTo("abc");
    assertThat(find.readPreference()).isEqualTo(ReadPreference.NEAREST);

    assertError(
        get("/api/v1/tenants/demo/threads/t1/comments/nope/replies"), 404, "comment_not_found");
  }

  @Test
  void refuses_each_bad_reply_parameter_with_its_code() throws Exception {
    queries.pages.put(T1, page(1, VoteDirection.NONE, VoteDirection.NONE));
    queries.replies.put("demo/t1/c1", new RepliesPage(List.of(), null, 1));

    for (String bad : List.of("101", "-1", "ten", "1.5", "")) {
      assertError(get(PAGE + "?replyLimit=" + bad), 400, "invalid_parameter");
    }
    Reply twice = get(PAGE + "?replyLimit=1&replyLimit=2");
    assertError(twice, 400, "invalid_parameter");
    assertThat(twice.json().get("error").get("message").textValue()).contains("replyLimit");
    for (String bad : List.of("0", "101", "x")) {
      Reply limit = get(REPLIES + "?limit=" + bad);
      assertError(limit, 400, "invalid_parameter");
      assertThat(limit.json().get("error").get("message").textValue()).contains("limit");
    }
    assertError(get(REPLIES + "?cursor="), 400, "invalid_cursor");
    assertError(get(REPLIES + "?cursor=" + "x".repeat(1025)), 400, "invalid_cursor");
    assertError(get(REPLIES + "?readPreference=any"), 400, "invalid_read_preference");
    assertError(
        get("/api/v1/tenants/demo/threads/t1/comments/bad%20id/replies"), 400, "invalid_path");
    queries.failure = new InvalidCursorException("cursor was made for another comment");
    Reply foreign = get(REPLIES + "?cursor=abc");
    assertError(foreign, 400, "invalid_cursor");
    assertThat(foreign.json().get("error").get("message").textValue())
        .doesNotContain("another comment");
  }

  private record Reply(int status, HttpResponse<String> response, String body, JsonNode json) {
    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  private String sessionToken(String name) throws Exception {
    HttpResponse<String> response =
        edge.send(
            edge.at("/api/v1/tenants/demo/sessions")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"displayName\":\"" + name + "\"}")),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(201);
    return MAPPER.readTree(response.body()).get("sessionToken").textValue();
  }

  private static String sessionIdOf(String token) throws Exception {
    byte[] claims = Base64.getUrlDecoder().decode(token.split("\\.")[1]);
    return MAPPER.readTree(claims).get("sub").textValue();
  }

  private Reply get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = edge.at(path);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = edge.send(request, BodyHandlers.ofString());
    JsonNode json = response.body().isEmpty() ? null : MAPPER.readTree(response.body());
    return new Reply(response.statusCode(), response, response.body(), json);
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
    assertThat(reply.json().get("error").get("code").textValue()).isEqualTo(code);
  }
}
