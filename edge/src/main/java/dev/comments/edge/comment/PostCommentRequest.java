package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.command.CommentIds;
import dev.comments.command.MediaIds;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonFields;
import dev.comments.events.HostPage;
import dev.comments.events.command.PostComment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code {"text": "…", "parentId": null, "media": ["<mediaId>", …], "page": {"url": "…", "title":
 * "…"}}}; the page is checked by {@link HostPageRequest}. Text rules are the command side's, and so
 * is whether each media id names an image of the tenant. A {@code parentId} must have the form of a
 * comment id ({@link CommentIds}), each media id that of a media id ({@link MediaIds}), at most
 * {@link PostComment#MAX_MEDIA} of them and none twice; what was sent instead is never repeated in
 * the answer, which a page might show.
 */
record PostCommentRequest(String text, String parentId, List<String> media, HostPage page) {
  static PostCommentRequest from(ObjectNode body) {
    JsonFields fields = JsonFields.of(body, List.of("text", "parentId", "media", "page"));
    String text = fields.requiredString("text");
    String parentId = fields.optionalString("parentId");
    if (parentId != null && !CommentIds.isWellFormed(parentId)) {
      throw ApiException.badRequest(
          "invalid_field",
          "field 'parentId' must be a comment id: "
              + CommentIds.LENGTH
              + " characters of lower-case hex and '-' (8-4-4-4-12), or null");
    }
    return new PostCommentRequest(
        text, parentId, media(body.get("media")), HostPageRequest.from(body.get("page")));
  }

  /** The ids of {@code "media"} (an edit's too): absent or null is none. */
  static List<String> media(JsonNode value) {
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw ApiException.badRequest(
          "invalid_field", "field 'media' must be an array of media ids, or null");
    }
    if (value.size() > PostComment.MAX_MEDIA) {
      throw ApiException.badRequest(
          "too_many_media",
          "a comment may show at most " + PostComment.MAX_MEDIA + " media, not " + value.size());
    }
    List<String> ids = new ArrayList<>(value.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode id = value.get(i);
      if (!id.isTextual() || !MediaIds.isWellFormed(id.textValue())) {
        throw ApiException.badRequest(
            "invalid_media_id",
            "media["
                + i
                + "] must be a media id as an upload returned it: "
                + MediaIds.LENGTH
                + " characters of lower-case hex");
      }
      if (!seen.add(id.textValue())) {
        throw ApiException.badRequest(
            "duplicate_media", "media[" + i + "] names the same media as an earlier entry");
      }
      ids.add(id.textValue());
    }
    return List.copyOf(ids);
  }
}
