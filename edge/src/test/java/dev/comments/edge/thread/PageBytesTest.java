package dev.comments.edge.thread;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.ThreadPage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PageBytesTest {
  private static final Logger log = LoggerFactory.getLogger(PageBytesTest.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ThreadId THREAD = new ThreadId("demo", "t");

  /** 20 top-level comments with 5 replies each (some nested), votes spread at random. */
  private static ThreadPage page(Random random) {
    List<CommentView> roots = new ArrayList<>();
    for (int r = 0; r < 20; r++) {
      List<CommentView> replies = new ArrayList<>();
      for (int c = 0; c < 5; c++) {
        CommentView nested =
            view("r" + r + "c" + c + "n", "r" + r + "c" + c, vote(random), List.of());
        replies.add(view("r" + r + "c" + c, "r" + r, vote(random), List.of(nested)));
      }
      roots.add(view("r" + r, null, vote(random), replies));
    }
    return new ThreadPage(roots, "next", 42);
  }

  private static VoteDirection vote(Random random) {
    return VoteDirection.values()[random.nextInt(3)];
  }

  private static CommentView view(
      String id, String parentId, VoteDirection myVote, List<CommentView> replies) {
    // Text that looks like the field the overlay looks for must not confuse it.
    return new CommentView(
        id,
        parentId,
        new Author(Author.Kind.USER, "u", "\"myVote\":\"none\""),
        "a \"myVote\":\"none\" in the text, and \\\"myVote\\\":\"none\"",
        Instant.parse("2026-03-01T11:00:00Z"),
        null,
        false,
        1,
        2,
        myVote,
        replies,
        null,
        CommentStatus.APPROVED,
        false,
        List.of());
  }

  private static void assertVotes(JsonNode comments, List<CommentView> views) {
    assertThat(comments).hasSize(views.size());
    for (int i = 0; i < views.size(); i++) {
      JsonNode comment = comments.get(i);
      assertThat(comment.get("id").textValue()).isEqualTo(views.get(i).id());
      assertThat(comment.get("myVote").textValue()).isEqualTo(views.get(i).myVote().wireName());
      assertThat(comment.get("text").textValue()).isEqualTo(views.get(i).text());
      assertVotes(comment.get("replies"), views.get(i).replies());
    }
  }

  @Test
  void every_viewer_gets_their_own_votes_laid_over_one_shared_encoding() throws Exception {
    PageBytes bytes = new PageBytes(1 << 20, new SimpleMeterRegistry());
    PageBytes.Key key = new PageBytes.Key(THREAD, "comments|newest|20|5|", 42);
    Random random = new Random(7);

    for (int viewer = 0; viewer < 50; viewer++) {
      ThreadPage page = page(random);
      PageBytes.Rendered rendered =
          bytes.render(
              key, () -> ThreadPageBody.withoutVotes(page), ThreadPageBody.votes(page.comments()));
      assertVotes(MAPPER.readTree(rendered.json()).get("comments"), page.comments());
    }
  }

  @Test
  void a_viewers_votes_by_comment_give_the_held_page_render_gives_them() throws Exception {
    PageBytes bytes = new PageBytes(1 << 20, new SimpleMeterRegistry());
    PageBytes.Key key = new PageBytes.Key(THREAD, "comments|newest|20|5|", 42);
    Random random = new Random(11);
    assertThat(bytes.held(key, Map.of("r0", VoteDirection.UP))).isEmpty();

    for (int viewer = 0; viewer < 50; viewer++) {
      ThreadPage page = page(random);
      PageBytes.Rendered rendered =
          bytes.render(
              key, () -> ThreadPageBody.withoutVotes(page), ThreadPageBody.votes(page.comments()));
      Map<String, VoteDirection> votesById = new HashMap<>();
      collectVotes(page.comments(), votesById);

      PageBytes.Rendered held = bytes.held(key, votesById).orElseThrow();

      assertThat(held.json()).isEqualTo(rendered.json());
      assertThat(held.etag()).isEqualTo(rendered.etag());
      assertThat(held.position()).isEqualTo(rendered.position());
    }
  }

  /** The votes a viewer cast, by comment id, as the read model holds them (no "none" entries). */
  private static void collectVotes(List<CommentView> views, Map<String, VoteDirection> votes) {
    for (CommentView view : views) {
      if (view.myVote() != VoteDirection.NONE) {
        votes.put(view.id(), view.myVote());
      }
      collectVotes(view.replies(), votes);
    }
  }

  @Test
  void reports_the_cost_of_a_hot_page() {
    PageBytes bytes = new PageBytes(1 << 24, new SimpleMeterRegistry());
    Random random = new Random(1);
    ThreadPage page = page(random);
    List<VoteDirection> votes = ThreadPageBody.votes(page.comments());
    PageBytes.Key key = new PageBytes.Key(THREAD, "comments|newest|20|5|", 42);
    int size = 0;
    for (int i = 0; i < 20_000; i++) {
      size += bytes.render(key, () -> ThreadPageBody.withoutVotes(page), votes).json().length;
    }
    long start = System.nanoTime();
    int rounds = 50_000;
    for (int i = 0; i < rounds; i++) {
      size += bytes.render(key, () -> ThreadPageBody.withoutVotes(page), votes).json().length;
    }
    long hot = (System.nanoTime() - start) / rounds;
    start = System.nanoTime();
    for (int i = 0; i < 2_000; i++) {
      PageBytes.Key cold = new PageBytes.Key(THREAD, "v" + i, 42);
      size += bytes.render(cold, () -> ThreadPageBody.withoutVotes(page), votes).json().length;
    }
    long cold = (System.nanoTime() - start) / 2_000;
    log.info(
        "page of 220 comments ({} bytes): {} µs with the viewer's votes laid over, {} µs encoded",
        bytes.render(key, () -> ThreadPageBody.withoutVotes(page), votes).json().length,
        hot / 1000.0,
        cold / 1000.0);
    assertThat(size).isPositive();
  }
}
