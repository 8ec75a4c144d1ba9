package dev.comments.edge.thread;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventJson;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The JSON of thread pages, encoded once per (thread, variant, seq) and shared by every reader:
 * Caffeine, bounded in bytes. A page is encoded with every {@code myVote} set to {@code "none"}; a
 * viewer's own votes are laid over by copying the bytes around those few values, never by encoding
 * the page again.
 *
 * <p>The overlay finds each {@code "myVote":"none"} by its bytes. That text cannot occur inside a
 * JSON string, whose quotes are escaped, so the n-th occurrence is the n-th comment in the order
 * the body is written: each comment, then its replies.
 */
final class PageBytes {
  static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  private static final ObjectMapper MAPPER = EventJson.newMapper();
  private static final byte[] NONE = "\"myVote\":\"none\"".getBytes(StandardCharsets.UTF_8);
  private static final int VALUE_OFFSET = "\"myVote\":".length();
  private static final int NONE_LENGTH = "\"none\"".length();

  /**
   * Which page: the thread, the query that shaped it, the thread's event it reflects and the
   * version of the node's media catalogue its media were read at (a removal raises it).
   */
  record Key(ThreadId thread, String variant, long seq, long mediaVersion) {
    /** A page that shows no media. */
    Key(ThreadId thread, String variant, long seq) {
      this(thread, variant, seq, 0);
    }
  }

  /** What a page's body says of itself besides its JSON. */
  interface Body {
    /**
     * The media shown, as text that differs when they do (an item removed, or its type and size
     * learned), so that the entity tag changes while the thread's event does not; empty when it
     * shows none.
     */
    String mediaShown();

    /** The id of each comment whose {@code myVote} the body writes, in that order. */
    List<String> commentIds();
  }

  /**
   * A page encoded once: the bytes, where each comment's {@code "none"} starts, whose comment each
   * is, and the start of its entity tags.
   */
  private record Encoded(byte[] json, int[] myVotes, List<String> commentIds, String etagPrefix) {}

  /** What a reader is sent. */
  /**
   * @param position the thread's position the page shows, from which a live reader follows it
   */
  record Rendered(byte[] json, String etag, long position) {}

  private final Cache<Key, Encoded> pages;

  PageBytes(long maxBytes, MeterRegistry meters) {
    this.pages =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<Key, Encoded>weigher(
                (key, page) ->
                    200
                        + key.variant().length() * 2
                        + page.json().length
                        + 4 * page.myVotes().length
                        + idsWeight(page.commentIds()))
            .recordStats()
            .build();
    Tags tags = Tags.of("cache", "page_json");
    FunctionCounter.builder("comments.readmodel.hits", pages, c -> c.stats().hitCount())
        .description("reads answered from memory")
        .tags(tags)
        .register(meters);
    FunctionCounter.builder("comments.readmodel.misses", pages, c -> c.stats().missCount())
        .description("reads that loaded from the store")
        .tags(tags)
        .register(meters);
    FunctionCounter.builder("comments.readmodel.evictions", pages, c -> c.stats().evictionCount())
        .description("entries evicted to stay within the bound")
        .tags(tags)
        .register(meters);
    Gauge.builder(
            "comments.readmodel.bytes",
            pages,
            c -> c.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L))
        .description("heap bytes held, as weighed")
        .baseUnit("bytes")
        .tags(tags)
        .register(meters);
  }

  /**
   * The page for {@code key} with the viewer's votes laid over, and its entity tag.
   *
   * @param body the page without any viewer's votes, encoded only when not held yet
   * @param myVotes the viewer's vote on each comment, in the order the body writes them
   */
  Rendered render(Key key, Supplier<? extends Body> body, List<VoteDirection> myVotes) {
    Encoded page = pages.get(key, k -> encode(k, body.get()));
    if (page.myVotes().length != myVotes.size()) {
      throw new IllegalStateException(
          "page has " + page.myVotes().length + " comments, votes name " + myVotes.size());
    }
    return overlay(page, myVotes, key.seq());
  }

  /**
   * The page for {@code key} with a viewer's votes (by comment id) laid over, if it is encoded
   * already; never encodes. What {@link #render} sends the same viewer, byte for byte and with the
   * same tag. Counted as a hit or a miss of the cache like {@link #render}.
   */
  Optional<Rendered> held(Key key, Map<String, VoteDirection> votesById) {
    Encoded page = pages.getIfPresent(key);
    if (page == null) {
      return Optional.empty();
    }
    if (votesById.isEmpty()) {
      return Optional.of(new Rendered(page.json(), page.etagPrefix() + "0\"", key.seq()));
    }
    List<VoteDirection> myVotes = new ArrayList<>(page.commentIds().size());
    for (String commentId : page.commentIds()) {
      myVotes.add(votesById.getOrDefault(commentId, VoteDirection.NONE));
    }
    return Optional.of(overlay(page, myVotes, key.seq()));
  }

  private static Rendered overlay(Encoded page, List<VoteDirection> myVotes, long seq) {
    StringBuilder overlay = new StringBuilder();
    ByteArrayOutputStream out = null;
    int copied = 0;
    for (int i = 0; i < myVotes.size(); i++) {
      VoteDirection vote = myVotes.get(i);
      if (vote == VoteDirection.NONE) {
        continue;
      }
      if (out == null) {
        out = new ByteArrayOutputStream(page.json().length + 16);
      }
      int at = page.myVotes()[i];
      out.write(page.json(), copied, at - copied);
      out.writeBytes(('"' + vote.wireName() + '"').getBytes(StandardCharsets.UTF_8));
      copied = at + NONE_LENGTH;
      overlay.append(i).append(vote == VoteDirection.UP ? 'u' : 'd');
    }
    byte[] json = page.json();
    if (out != null) {
      out.write(json, copied, json.length - copied);
      json = out.toByteArray();
    }
    String etag = page.etagPrefix() + (overlay.isEmpty() ? "0" : digest(overlay.toString())) + "\"";
    return new Rendered(json, etag, seq);
  }

  private static Encoded encode(Key key, Body body) {
    byte[] json;
    try {
      json = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    List<Integer> offsets = new ArrayList<>();
    for (int i = indexOf(json, 0); i >= 0; i = indexOf(json, i + NONE.length)) {
      offsets.add(i + VALUE_OFFSET);
    }
    // A page without media keeps the tag it had before media existed, the same on every node.
    String media = body.mediaShown();
    List<String> commentIds = body.commentIds();
    if (commentIds.size() != offsets.size()) {
      throw new IllegalStateException(
          "page writes " + offsets.size() + " votes, names " + commentIds.size() + " comments");
    }
    return new Encoded(
        json,
        offsets.stream().mapToInt(Integer::intValue).toArray(),
        List.copyOf(commentIds),
        "\""
            + key.seq()
            + "-"
            + digest(key.variant())
            + (media.isEmpty() ? "" : "-" + digest(media))
            + "-");
  }

  private static int idsWeight(List<String> commentIds) {
    int weight = 0;
    for (String id : commentIds) {
      weight += 48 + 2 * id.length();
    }
    return weight;
  }

  private static int indexOf(byte[] json, int from) {
    outer:
    for (int i = from; i <= json.length - NONE.length; i++) {
      for (int j = 0; j < NONE.length; j++) {
        if (json[i + j] != NONE[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** 9 bytes of SHA-256, URL-safe: tags must differ when what they tag does. */
  private static String digest(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 9));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
