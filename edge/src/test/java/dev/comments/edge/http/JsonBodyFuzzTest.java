package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What {@link JsonBodyReader} does with a request: the Content-Type check ({@link
 * JsonContentType}), the strict parse ({@link StrictJson}) and the field checks ({@link
 * JsonFields}). The input is a Content-Type line, a newline, then the body. Any input is either
 * read or refused with an {@link ApiException} of status 415 (Content-Type) or 400 (body); what is
 * read writes back to JSON that reads to the same object, numbers compared by value.
 */
class JsonBodyFuzzTest {
  private static final int MAX_BYTES = 64 * 1024;
  private final StrictJson json = new StrictJson(MAX_BYTES);
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  @FuzzTest(maxDuration = "10s")
  void reads_a_body_or_refuses_it_with_415_or_400(byte[] input) throws Exception {
    int newline = indexOf(input, (byte) '\n');
    String contentType =
        newline < 0 ? null : new String(input, 0, newline, StandardCharsets.ISO_8859_1);
    byte[] body = Arrays.copyOfRange(input, newline + 1, input.length);

    ObjectNode object;
    try {
      JsonContentType.require(contentType);
      object = json.parseObject(body);
      JsonFields fields = JsonFields.of(object, List.of("text", "parentId", "displayName"));
      fields.requiredString("text");
      fields.optionalString("parentId");
    } catch (ApiException refused) {
      assertThat(refused.status()).isIn(400, 415);
      return;
    }
    // Read back with plain Jackson: a number within the length limit may write back longer (a
    // BigDecimal with a large exponent), which the strict reader would rightly refuse as sent.
    JsonNode again = mapper.readTree(mapper.writeValueAsBytes(object));
    assertThat(again.equals(SAME_NUMBER, object)).as("%s read back as %s", object, again).isTrue();
  }

  /** 1e0 writes back as 1: the same number, though no longer a decimal node. */
  private static final Comparator<JsonNode> SAME_NUMBER =
      (a, b) ->
          a.isNumber() && b.isNumber()
              ? a.decimalValue().compareTo(b.decimalValue())
              : (a.equals(b) ? 0 : 1);

  private static int indexOf(byte[] bytes, byte wanted) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
