package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.JsonFields;
import java.util.List;

/**
 * {@code {"text": "…", "media": ["<mediaId>", …]}}: {@code media} replaces the comment's images and
 * is checked as a post's ({@link PostCommentRequest}); {@code []} clears them, absent or null keeps
 * them ({@code media} null).
 */
record EditCommentRequest(String text, List<String> media) {
  static EditCommentRequest from(ObjectNode body) {
    String text = JsonFields.of(body, List.of("text", "media")).requiredString("text");
    JsonNode media = body.get("media");
    return new EditCommentRequest(
        text, media == null || media.isNull() ? null : PostCommentRequest.media(media));
  }
}
