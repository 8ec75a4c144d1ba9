package dev.comments.events.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes off the log either decode (upcast to the current version) or are refused with {@link
 * EventDecodingException}; whatever decodes encodes to JSON that decodes to the same event. The
 * corpus starts from the golden fixtures, so old versions and their upcasting are fuzzed too.
 */
class EventCodecFuzzTest {
  private final EventCodec codec = new EventCodec();

  @FuzzTest(maxDuration = "10s")
  void decodes_or_refuses_and_round_trips(byte[] json) {
    EventEnvelope decoded;
    try {
      decoded = codec.decode(json);
    } catch (EventDecodingException refused) {
      return;
    }
    byte[] encoded = codec.encode(decoded);
    assertThat(codec.decode(encoded)).isEqualTo(decoded);
    assertThat(codec.encode(codec.decode(encoded))).isEqualTo(encoded);
  }
}
