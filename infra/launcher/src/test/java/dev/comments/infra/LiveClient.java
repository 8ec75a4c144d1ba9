package dev.comments.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The live protocol's Java client (docs/live.md), as tests use it: a websocket or an event stream
 * whose messages land in a queue.
 */
public final class LiveClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LiveClient() {}

  /** Something that receives live messages. */
  public abstract static class Reader implements AutoCloseable {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();

    /** The next message, failing when none comes in time. */
    public JsonNode next(Duration timeout) {
      try {
        JsonNode message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
          throw new AssertionError("no live message within " + timeout);
        }
        return message;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** The next message of {@code type}, skipping presence messages. */
    public JsonNode next(String type, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        JsonNode message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        if (message.path("type").asText().equals(type)) {
          return message;
        }
        if (!message.path("type").asText().equals("presence")) {
          throw new AssertionError("expected a " + type + " message, got " + message);
        }
      }
    }

    /** Every message that arrives within {@code quiet} of the last, but presence. */
    public List<JsonNode> drain(Duration quiet) {
      List<JsonNode> got = new ArrayList<>();
      try {
        JsonNode message;
        while ((message = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          if (!message.path("type").asText().equals("presence")) {
            got.add(message);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return got;
    }

    public List<JsonNode> waitFor(Predicate<List<JsonNode>> done, Duration timeout) {
      List<JsonNode> got = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(got)) {
        got.add(next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
      }
      return got;
    }
  }

  /** A websocket reader; {@link #closed} completes with the server's close code and reason. */
  public static final class Socket extends Reader implements WebSocket.Listener {
    public record Closed(int code, String reason) {}

    public final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    public static Socket open(HttpClient http, URI uri, String... subprotocols) {
      Socket reader = new Socket();
      WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
      if (subprotocols.length > 0) {
        builder.subprotocols(
            subprotocols[0],
            java.util.stream.Stream.of(subprotocols).skip(1).toArray(String[]::new));
      }
      reader.socket = builder.buildAsync(uri, reader).join();
      return reader;
    }

    public void send(String text) {
      socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
      socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    public Closed awaitClose(Duration timeout) {
      return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(parse(partial.toString()));
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new Closed(-1, String.valueOf(error)));
    }

    @Override
    public void close() {
      if (!socket.isOutputClosed()) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
      }
      socket.abort();
    }
  }

  /** An event-stream reader: each event's data, with its {@code id} and {@code event} added. */
  public static final class Stream extends Reader {
    public final int status;
    public final JsonNode error;
    private final java.util.stream.Stream<String> lines;

    private Stream(int status, JsonNode error, java.util.stream.Stream<String> lines) {
      this.status = status;
      this.error = error;
      this.lines = lines;
    }

    public static Stream open(HttpClient http, URI uri, String lastEventId, String bearer) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      if (bearer != null) {
        request.header("Authorization", "Bearer " + bearer);
      }
      HttpResponse<java.util.stream.Stream<String>> head =
          http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
              .orTimeout(10, TimeUnit.SECONDS)
              .join();
      if (head.statusCode() != 200) {
        String text = String.join("\n", head.body().toList());
        return new Stream(head.statusCode(), parse(text), java.util.stream.Stream.empty());
      }
      Stream stream = new Stream(200, null, head.body());
      Thread.ofVirtual().start(stream::read);
      return stream;
    }

    private void read() {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      try {
        for (String line : (Iterable<String>) lines::iterator) {
          if (line.isEmpty()) {
            if (!data.isEmpty()) {
              ObjectNode message = (ObjectNode) parse(data.toString());
              message.put("sseId", id);
              message.put("sseEvent", event);
              messages.add(message);
            }
            id = null;
            event = null;
            data.setLength(0);
          } else if (line.startsWith("id:")) {
            id = line.substring(3).strip();
          } else if (line.startsWith("event:")) {
            event = line.substring(6).strip();
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).strip());
          }
        }
      } catch (RuntimeException closed) {
        // The stream was closed, by us or by the server.
      }
    }

    @Override
    public void close() {
      lines.close();
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }
}
