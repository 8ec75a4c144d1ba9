package dev.comments.edge.testing;

import dev.comments.command.ThreadPositions;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Positions set by the test; every question is recorded. */
public final class FixedPositions implements ThreadPositions {
  public final Map<ThreadId, Long> seqs = new ConcurrentHashMap<>();
  public final List<ThreadId> asked = new CopyOnWriteArrayList<>();

  @Override
  public OptionalLong lastSeq(ThreadId thread, ReadPreference readPreference) {
    asked.add(thread);
    Long seq = seqs.get(thread);
    return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
  }
}
