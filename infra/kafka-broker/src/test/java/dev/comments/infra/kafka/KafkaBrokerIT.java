package dev.comments.infra.kafka;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {
  @TempDir Path dataDir;

  @Test
  void keeps_its_records_across_a_restart_on_the_same_data_directory() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin
            .createTopics(List.of(new NewTopic("t", 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (var producer = producer(broker)) {
        producer.send(new ProducerRecord<>("t", "k", "before restart")).get(30, TimeUnit.SECONDS);
      }
    }

    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      assertThat(readAll(broker)).containsExactly("before restart");
    }
  }

  @Test
  void stops_when_the_parent_closes_its_lifeline() throws Exception {
    KafkaBroker broker = KafkaBroker.start(dataDir);
    ProcessHandle child = ProcessHandle.of(broker.pid()).orElseThrow();

    broker.close();

    assertThat(child.isAlive()).isFalse();
  }

  @Test
  void serves_clients_through_an_extra_listener_advertised_at_a_forwarder() throws Exception {
    try (Forwarder forwarder = new Forwarder();
        KafkaBroker broker =
            KafkaBroker.start(
                dataDir,
                KafkaBroker.freePort(),
                List.of(forwarder.listener("REGION_B", KafkaBroker.freePort())))) {
      createTopic(broker.bootstrapServers());
    }

    // Started again with the listener on other ports, as a local cluster restarted would be.
    try (Forwarder forwarder = new Forwarder();
        KafkaBroker broker =
            KafkaBroker.start(
                dataDir,
                KafkaBroker.freePort(),
                List.of(forwarder.listener("REGION_B", KafkaBroker.freePort())))) {
      String viaForwarder = "127.0.0.1:" + forwarder.port();

      assertThat(nodePorts(viaForwarder)).containsExactly(forwarder.port());
      assertThat(nodePorts(broker.bootstrapServers()))
          .containsExactly(port(broker.bootstrapServers()));
      try (var producer = producer(viaForwarder)) {
        producer.send(new ProducerRecord<>("t", "k", "through the forwarder")).get(30, SECONDS);
      }
      int connectionsBeforeReading = forwarder.connections();
      assertThat(readAll(viaForwarder)).containsExactly("through the forwarder");
      assertThat(forwarder.connections()).isGreaterThan(connectionsBeforeReading);
    }
  }

  @Test
  void rejects_an_extra_listener_that_clashes_with_its_own() {
    assertThatThrownBy(() -> new KafkaBroker.Listener("PLAINTEXT", 1, "127.0.0.1", 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KafkaBroker.Listener("region_b", 1, "127.0.0.1", 2))
        .isInstanceOf(IllegalArgumentException.class);
    var listener = new KafkaBroker.Listener("REGION_B", 4000, "127.0.0.1", 4001);
    assertThatThrownBy(() -> KafkaBroker.start(dataDir, 4000, List.of(listener)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KafkaBroker.start(dataDir, 3999, List.of(listener, listener)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void createTopic(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get(30, SECONDS);
    }
  }

  private static List<Integer> nodePorts(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      return admin.describeCluster().nodes().get(30, SECONDS).stream().map(Node::port).toList();
    }
  }

  private static int port(String hostAndPort) {
    return Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1));
  }

  private static KafkaProducer<String, String> producer(KafkaBroker broker) {
    return producer(broker.bootstrapServers());
  }

  private static KafkaProducer<String, String> producer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new StringSerializer());
  }

  private static List<String> readAll(KafkaBroker broker) {
    return readAll(broker.bootstrapServers());
  }

  private static List<String> readAll(String bootstrapServers) {
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
            new StringDeserializer(),
            new StringDeserializer())) {
      TopicPartition partition = new TopicPartition("t", 0);
      consumer.assign(Set.of(partition));
      consumer.seekToBeginning(Set.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      var records = new java.util.ArrayList<String>();
      while (records.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          records.add(r.value());
        }
      }
      return records;
    }
  }

  /**
   * A plain TCP forwarder to the extra listener, standing where a region's WAN proxy stands: the
   * broker advertises it, so every connection a client makes after bootstrap must pass it too.
   */
  private static final class Forwarder implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile int targetPort;

    Forwarder() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    /** The listener to forward to: bound at {@code port}, advertised at this forwarder. */
    KafkaBroker.Listener listener(String name, int port) {
      targetPort = port;
      return new KafkaBroker.Listener(name, port, "127.0.0.1", port());
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          connections.incrementAndGet();
          Socket target = new Socket();
          try {
            target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
          } catch (IOException refused) {
            client.close();
            target.close();
            continue;
          }
          Thread.ofVirtual().start(() -> pipe(client, target));
          Thread.ofVirtual().start(() -> pipe(target, client));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private static void pipe(Socket from, Socket to) {
      try (from;
          to) {
        from.getInputStream().transferTo(to.getOutputStream());
      } catch (IOException ignored) {
        // One side went away: closing both ends tells the other.
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
