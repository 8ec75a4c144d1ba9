package dev.comments.edge.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns body bytes into a JSON object, refusing everything a lenient parser would let through:
 * invalid UTF-8 (checked before parsing, so it is never silently replaced), nesting deeper than
 * {@link #MAX_DEPTH}, over-long strings, names or numbers, duplicate keys and trailing content.
 */
public final class StrictJson {
  public static final int MAX_DEPTH = 16;
  private static final int MAX_NUMBER_LENGTH = 64;
  private static final int MAX_NAME_LENGTH = 256;
  private static final int MAX_DETAIL = 160;

  private final ObjectMapper mapper;

  public StrictJson(int maxBytes) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(maxBytes)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxDocumentLength(maxBytes)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    // Every fraction as the exact decimal the client wrote: a double would round it, and read a
    // number past its range (1e400) as Infinity, which writes back as a string (found by fuzzing).
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
  }

  /**
   * @throws ApiException {@code 400} with code {@code invalid_utf8}, {@code malformed_json}, {@code
   *     json_too_deep}, {@code duplicate_field} or {@code invalid_body}
   */
  public ObjectNode parseObject(byte[] body) {
    String text = decodeUtf8(body);
    JsonNode node;
    try (JsonParser parser = mapper.createParser(text)) {
      try {
        node = mapper.readTree(parser);
        if (node != null && !node.isMissingNode() && parser.nextToken() != null) {
          throw malformed("unexpected content after the JSON value", parser);
        }
      } catch (StreamConstraintsException e) {
        throw tooBig(e);
      } catch (NumberFormatException e) {
        // An exponent past BigDecimal's range (1e9999999999) is not wrapped by Jackson.
        throw ApiException.badRequest(
            "malformed_json", "the JSON body holds a number whose exponent is out of range");
      } catch (JsonParseException e) {
        if (e.getOriginalMessage().startsWith("Duplicate field")) {
          throw ApiException.badRequest(
              "duplicate_field", "duplicate field '" + parser.currentName() + "' in the JSON body");
        }
        throw malformed(e.getOriginalMessage(), parser);
      } catch (JsonProcessingException e) {
        StreamConstraintsException limit = findConstraint(e);
        if (limit != null) {
          throw tooBig(limit);
        }
        throw malformed(e.getOriginalMessage(), parser);
      }
    } catch (IOException e) {
      // Only reached from closing a parser over a String, which cannot fail.
      throw ApiException.badRequest("malformed_json", "the request body is not valid JSON");
    }
    if (node == null || node.isMissingNode()) {
      throw ApiException.badRequest("malformed_json", "the request body is empty; expected JSON");
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.badRequest("invalid_body", "the request body must be a JSON object");
    }
    return object;
  }

  /** Decodes strictly: the first malformed sequence is reported with its byte offset. */
  static String decodeUtf8(byte[] body) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isUnderflow()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw ApiException.badRequest(
          "invalid_utf8", "the request body is not valid UTF-8 (at byte " + in.position() + ")");
    }
    return out.flip().toString();
  }

  private static StreamConstraintsException findConstraint(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StreamConstraintsException constraint) {
        return constraint;
      }
    }
    return null;
  }

  private static ApiException tooBig(StreamConstraintsException e) {
    if (e.getOriginalMessage().contains("nesting depth")) {
      return ApiException.badRequest(
          "json_too_deep", "the JSON body is nested deeper than " + MAX_DEPTH + " levels");
    }
    return ApiException.badRequest(
        "malformed_json", "the JSON body holds a string, name or number that is too long");
  }

  private static ApiException malformed(String detail, JsonParser parser) {
    String shortDetail = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail;
    var location = parser.currentLocation();
    return ApiException.badRequest(
        "malformed_json",
        "the request body is not valid JSON at line "
            + location.getLineNr()
            + ", column "
            + location.getColumnNr()
            + ": "
            + shortDetail);
  }
}
