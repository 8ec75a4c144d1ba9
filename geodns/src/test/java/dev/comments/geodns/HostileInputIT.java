package dev.comments.geodns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.geodns.node.InMemoryNodeMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Hostile and broken messages, each followed by a valid query that must still be answered; once on
 * the batched UDP path and once on the JDK channel's (a batch of 1).
 */
@ParameterizedClass(name = "udpBatch={0}")
@ValueSource(ints = {32, 1})
class HostileInputIT {
  private static final String SERVICE = "edge.comments.test.";
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  @Parameter int udpBatch;
  private GeoDnsServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        GeoDnsServer.start(
            GeoDnsSettings.dev(Fleet.cityDatabase())
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withRateLimit(200, 400)
                .withUdpBatch(udpBatch),
            new InMemoryNodeMap(Fleet.threeRegions()),
            Clock.systemUTC(),
            meters);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] query(String name, int type, int dclass) {
    return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, dclass)).toWire();
  }

  /** A header asking one question, then {@code rest} as the question's bytes. */
  private static byte[] rawQuestion(int arcount, byte[]... parts) {
    ByteBuffer buffer = ByteBuffer.allocate(70_000);
    buffer.putShort((short) 0x1234).putShort((short) 0x0100).putShort((short) 1);
    buffer.putShort((short) 0).putShort((short) 0).putShort((short) arcount);
    for (byte[] part : parts) {
      buffer.put(part);
    }
    return Arrays.copyOf(buffer.array(), buffer.position());
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] label(int length) {
    byte[] out = new byte[length + 1];
    out[0] = (byte) length;
    Arrays.fill(out, 1, out.length, (byte) 'a');
    return out;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteBuffer buffer = ByteBuffer.allocate(parts.stream().mapToInt(p -> p.length).sum());
    parts.forEach(buffer::put);
    return buffer.array();
  }

  /** An OPT record carrying one option of {@code length} bytes. */
  private static byte[] optWith(int code, byte[] data) {
    ByteBuffer buffer = ByteBuffer.allocate(11 + 4 + data.length);
    buffer.put((byte) 0).putShort((short) Type.OPT).putShort((short) 1232).putInt(0);
    buffer.putShort((short) (4 + data.length)).putShort((short) code).putShort((short) data.length);
    buffer.put(data);
    return buffer.array();
  }

  private static final byte[] QTYPE_A_IN = bytes(0, 1, 0, 1);
  private static final byte[] SERVICE_NAME =
      concat(
          List.of(
              bytes(4),
              "edge".getBytes(),
              bytes(8),
              "comments".getBytes(),
              bytes(4),
              "test".getBytes(),
              bytes(0)));

  static List<byte[]> hostileMessages() {
    List<byte[]> all = new ArrayList<>();
    Random random = new Random(53);
    for (int i = 0; i < 100; i++) {
      byte[] noise = new byte[random.nextInt(600)];
      random.nextBytes(noise);
      all.add(noise);
    }
    byte[] valid = query(SERVICE, Type.A, DClass.IN);
    for (int cut = 0; cut < valid.length; cut++) {
      all.add(Arrays.copyOf(valid, cut));
    }
    // A name that points at itself, and two names that point at each other.
    all.add(rawQuestion(0, bytes(0xC0, 12), QTYPE_A_IN));
    all.add(rawQuestion(0, bytes(1, 'a', 0xC0, 14, 0xC0, 12), QTYPE_A_IN));
    // Names too long in bytes, in label count, and a label longer than 63.
    all.add(
        rawQuestion(
            0, label(63), label(63), label(63), label(63), label(63), bytes(0), QTYPE_A_IN));
    List<byte[]> manyLabels = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      manyLabels.add(label(1));
    }
    manyLabels.add(bytes(0));
    all.add(rawQuestion(0, concat(manyLabels), QTYPE_A_IN));
    all.add(rawQuestion(0, label(64), bytes(0), QTYPE_A_IN));
    // Wrong classes and types.
    all.add(query(SERVICE, Type.A, DClass.CH));
    all.add(query("version.bind.", Type.TXT, DClass.CH));
    all.add(query(SERVICE, Type.ANY, DClass.IN));
    all.add(query(SERVICE, Type.MX, DClass.IN));
    all.add(query("comments.test.", Type.AXFR, DClass.IN));
    // EDNS: an oversized option, a client subnet of an unknown family or too long a prefix.
    all.add(rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(65001, new byte[4000])));
    all.add(rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(8, bytes(0, 3, 24, 0, 1, 2, 3))));
    all.add(
        rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(8, bytes(0, 1, 33, 0, 1, 2, 3, 4, 5))));
    all.add(rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(8, bytes(0, 1, 24, 0, 1, 2, 3, 4))));
    // An OPT claiming more data than the message holds.
    all.add(
        rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, bytes(0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0xFF, 0xFF)));
    return all;
  }

  private void assertStillAnswers() throws Exception {
    Message answer = Dig.to(server.port()).clientSubnet("81.2.69.142", 32).query(SERVICE, Type.A);
    assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answer.getSection(Section.ANSWER)).hasSize(1);
  }

  /** A response, if any, must be a response to the same ID and readable. */
  private static void assertSaneResponse(byte[] sent, byte[] response) throws IOException {
    assertThat(response.length).isGreaterThanOrEqualTo(12);
    assertThat(response[2] & 0x80).as("QR").isNotZero();
    assertThat(Arrays.copyOf(response, 2)).isEqualTo(Arrays.copyOf(sent, 2));
    new Message(response);
  }

  @Test
  void answers_valid_queries_after_each_hostile_datagram() throws Exception {
    try (DatagramSocket client = new DatagramSocket()) {
      client.setSoTimeout(300);
      InetSocketAddress target =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
      for (byte[] hostile : hostileMessages()) {
        client.send(new DatagramPacket(hostile, hostile.length, target));
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
          client.receive(packet);
          assertSaneResponse(hostile, Arrays.copyOf(buffer, packet.getLength()));
          assertThat(packet.getLength()).isLessThanOrEqualTo(1232);
        } catch (SocketTimeoutException dropped) {
          // Dropping is a valid answer to bytes too short or too broken to answer.
          assertThat(hostile.length < 12 || (hostile[2] & 0x80) != 0).isTrue();
        }
        assertStillAnswers();
      }
    }
  }

  @Test
  void answers_formerr_to_a_query_longer_than_it_reads_and_reads_one_just_short_enough()
      throws Exception {
    int bare = rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(65001, new byte[0])).length;
    // 4096 bytes, the most the listener reads, and one byte more (cut by the kernel).
    byte[] fits = rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(65001, new byte[4096 - bare]));
    byte[] tooLong =
        rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(65001, new byte[4097 - bare]));
    try (DatagramSocket client = new DatagramSocket()) {
      client.setSoTimeout(3000);
      InetSocketAddress target =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
      byte[] buffer = new byte[65_535];

      client.send(new DatagramPacket(fits, fits.length, target));
      DatagramPacket read = new DatagramPacket(buffer, buffer.length);
      client.receive(read);
      Message answered = new Message(Arrays.copyOf(buffer, read.getLength()));
      client.send(new DatagramPacket(tooLong, tooLong.length, target));
      DatagramPacket refused = new DatagramPacket(buffer, buffer.length);
      client.receive(refused);
      Message formErr = new Message(Arrays.copyOf(buffer, refused.getLength()));

      assertThat(answered.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(answered.getSection(Section.ANSWER)).hasSize(1);
      assertThat(formErr.getRcode()).isEqualTo(Rcode.FORMERR);
      assertThat(formErr.getHeader().getID()).isEqualTo(0x1234);
      assertThat(refused.getLength()).isEqualTo(12);
    }
    assertStillAnswers();
  }

  @Test
  void answers_valid_queries_after_each_hostile_tcp_message() throws Exception {
    List<byte[]> messages = new ArrayList<>(hostileMessages());
    messages.add(rawQuestion(1, SERVICE_NAME, QTYPE_A_IN, optWith(65001, new byte[60_000])));
    for (byte[] hostile : messages) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        socket.setSoTimeout(2000);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeShort(hostile.length);
        out.write(hostile);
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        try {
          byte[] response = new byte[in.readUnsignedShort()];
          in.readFully(response);
          assertSaneResponse(hostile, response);
        } catch (java.io.EOFException closed) {
          assertThat(hostile.length < 12 || (hostile[2] & 0x80) != 0).isTrue();
        }
      }
      assertStillAnswers();
    }
  }

  @Test
  void keeps_answering_while_a_tcp_client_promises_more_than_it_sends() throws Exception {
    try (Socket liar = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      new DataOutputStream(liar.getOutputStream()).writeShort(60_000);
      liar.getOutputStream().write(new byte[10]);
      assertStillAnswers();
      assertThat(Dig.to(server.port()).tcp(true).query(SERVICE, Type.A).getRcode())
          .isEqualTo(Rcode.NOERROR);
    }
  }

  @Test
  void drops_a_flood_from_one_source_and_keeps_answering_the_others() throws Exception {
    byte[] flood = query(SERVICE, Type.A, DClass.IN);
    InetAddress other = InetAddress.getByName("127.0.0.2");
    int answered = 0;
    try (DatagramSocket flooder = new DatagramSocket(new InetSocketAddress(other, 0))) {
      InetSocketAddress target =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
      // In bursts the kernel's buffer can hold, so the server, not the kernel, does the dropping.
      for (int i = 0; i < 3_000; i++) {
        flooder.send(new DatagramPacket(flood, flood.length, target));
        if (i % 50 == 49) {
          Thread.sleep(1);
        }
      }
      assertStillAnswers();
      flooder.setSoTimeout(200);
      byte[] buffer = new byte[2048];
      try {
        while (true) {
          flooder.receive(new DatagramPacket(buffer, buffer.length));
          answered++;
        }
      } catch (SocketTimeoutException drained) {
        // every answer the flooder will get has arrived
      }
    }
    assertThat(answered).isPositive().isLessThan(1_000);
    assertThat(meters.get("geodns.queries.rate.limited").tag("transport", "udp").counter().count())
        .isPositive();
  }
}
