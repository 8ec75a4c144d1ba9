import dev.comments.geodns.geo.Coordinates;
import dev.comments.geodns.geo.GeoIndex;
import dev.comments.geodns.geo.Site;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the GeoDNS index (dev.comments.geodns.geo.GeoIndex) from one MaxMind database RUNS times over
 * the benchmark's three sites and prints, one figure a line: the file size, each build's wall and
 * CPU time (the CPU time is the figure to trust on a shared machine), and the heap the index retains (heap used after a full GC with the index held, minus the same
 * without it, from the MemoryMXBean).
 *   java -cp <geodns classes and dependencies> GeoIndexSize.java DATABASE [RUNS=1]
 */
public final class GeoIndexSize {
  public static void main(String[] args) throws Exception {
    Path database = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Site> sites =
        List.of(
            new Site("ap-southeast", new Coordinates(1.35, 103.82)),
            new Site("eu-central", new Coordinates(50.11, 8.68)),
            new Site("us-west", new Coordinates(45.6, -121.2)));
    Coordinates fallback = new Coordinates(50.11, 8.68);
    System.out.println("file_bytes " + Files.size(database));
    long empty = usedAfterGc();
    GeoIndex held = null;
    for (int run = 1; run <= runs; run++) {
      held = null;
      usedAfterGc();
      long start = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime();
      held = GeoIndex.build(database, sites, fallback, Instant.now());
      System.out.printf("build_ms_%d %.0f%n", run, (System.nanoTime() - start) / 1e6);
      System.out.printf("build_cpu_ms_%d %.0f%n", run, (threads.getCurrentThreadCpuTime() - cpu) / 1e6);
    }
    long retained = usedAfterGc() - empty;
    System.out.println("retained_bytes " + retained);
    System.out.println("networks " + held.networkCount());
    System.out.println("locations " + held.locationCount());
    System.out.println("rankings " + held.rankingCount());
    // A lookup, so that the index is reachable until here and is seen to answer.
    System.out.println(
        "london " + held.place(InetAddress.getByName("81.2.69.142")).ranking().getFirst());
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // Several rounds: one System.gc() may leave garbage that a concurrent phase frees later.
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
