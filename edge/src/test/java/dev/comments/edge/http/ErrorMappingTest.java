package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.query.InvalidCursorException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorMappingTest {
  private static final Map<Rejection, Integer> CONTRACT =
      Map.ofEntries(
          Map.entry(Rejection.TEXT_EMPTY, 400),
          Map.entry(Rejection.TEXT_TOO_LONG, 400),
          Map.entry(Rejection.TEXT_INVALID, 400),
          Map.entry(Rejection.REASON_INVALID, 400),
          Map.entry(Rejection.PARENT_NOT_FOUND, 400),
          Map.entry(Rejection.REPLY_TOO_DEEP, 400),
          Map.entry(Rejection.THREAD_NOT_FOUND, 404),
          Map.entry(Rejection.COMMENT_NOT_FOUND, 404),
          Map.entry(Rejection.NOT_AUTHOR, 403),
          Map.entry(Rejection.THREAD_LOCKED, 409),
          Map.entry(Rejection.COMMENT_DELETED, 409),
          Map.entry(Rejection.EDIT_WINDOW_CLOSED, 409),
          Map.entry(Rejection.ALREADY_FLAGGED, 409),
          Map.entry(Rejection.MODERATION_NOT_ALLOWED, 409),
          Map.entry(Rejection.NOT_BANNED, 404),
          Map.entry(Rejection.MEDIA_TOO_LARGE, 413),
          Map.entry(Rejection.MEDIA_TYPE_UNSUPPORTED, 415),
          Map.entry(Rejection.MEDIA_TYPE_MISMATCH, 400),
          Map.entry(Rejection.MEDIA_TRUNCATED, 400),
          Map.entry(Rejection.MEDIA_DIMENSIONS_TOO_LARGE, 400),
          Map.entry(Rejection.MEDIA_NOT_FOUND, 404),
          Map.entry(Rejection.UNKNOWN_MEDIA, 422),
          Map.entry(Rejection.MEDIA_REMOVED, 422));

  @ParameterizedTest
  @EnumSource(Rejection.class)
  void maps_every_rejection_to_its_contract_status_and_code(Rejection rejection) {
    ApiError error =
        ErrorMapping.toError(new CommandRejectedException(rejection, "because " + rejection));

    assertThat(error.status()).isEqualTo(CONTRACT.get(rejection));
    assertThat(error.code()).isEqualTo(rejection.code());
    assertThat(error.message()).isEqualTo("because " + rejection);
  }

  @Test
  void keeps_the_edges_own_refusals_as_they_are() {
    ApiError error =
        ErrorMapping.toError(
            new ApiException(405, "method_not_allowed", "no", Map.of("Allow", "GET")));

    assertThat(error)
        .isEqualTo(new ApiError(405, "method_not_allowed", "no", Map.of("Allow", "GET")));
  }

  @Test
  void maps_a_foreign_cursor_to_400_without_the_query_sides_wording() {
    ApiError error = ErrorMapping.toError(new InvalidCursorException("bad base64 in field k2"));

    assertThat(error.status()).isEqualTo(400);
    assertThat(error.code()).isEqualTo("invalid_cursor");
    assertThat(error.message()).doesNotContain("k2");
  }

  @Test
  void hides_unexpected_failures_behind_500_internal() {
    ApiError error =
        ErrorMapping.toError(new IllegalStateException("mongodb://admin:secret@db1 refused"));

    assertThat(error.status()).isEqualTo(500);
    assertThat(error.code()).isEqualTo("internal");
    assertThat(error.message()).doesNotContain("mongodb").doesNotContain("IllegalState");
  }
}
