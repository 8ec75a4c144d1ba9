package dev.comments.edge.cdn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One origin fetch into a part file, which every request that missed the same item reads as it
 * grows: the first to miss starts it, the others join. Readers read by position from the one
 * channel, which closes when the filler and the last reader are done with it.
 */
final class Fill {
  private final Path part;
  private final FileChannel channel;
  private long written;
  private boolean done;
  private IOException failure;
  private int users = 1;

  Fill(Path part) throws IOException {
    this.part = part;
    this.channel =
        FileChannel.open(
            part, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  Path part() {
    return part;
  }

  /** The filler appends what came from the origin. */
  void append(ByteBuffer bytes) throws IOException {
    long at;
    synchronized (this) {
      at = written;
    }
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
    synchronized (this) {
      written = at;
      notifyAll();
    }
  }

  /** Makes the whole file durable before it is moved into place. */
  void sync() throws IOException {
    channel.force(false);
  }

  synchronized void finished() {
    done = true;
    notifyAll();
  }

  synchronized void failed(IOException e) {
    failure = e;
    notifyAll();
  }

  /** A reader joins; false if the fill already failed or its channel is closed. */
  synchronized boolean join() {
    if (failure != null || users == 0) {
      return false;
    }
    users++;
    return true;
  }

  /** The filler or a reader is done with the channel. */
  void leave() {
    boolean close;
    synchronized (this) {
      users--;
      close = users == 0;
    }
    if (close) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing was written through this close.
      }
    }
  }

  /**
   * Waits until more than {@code position} bytes are written, or the fill ends; returns how many
   * are written (equal to {@code position} only when the fill completed there).
   *
   * @throws IOException if the origin failed: the reader's answer must be cut, not completed
   */
  synchronized long awaitBeyond(long position) throws IOException, InterruptedException {
    while (written <= position && !done && failure == null) {
      wait();
    }
    if (failure != null) {
      throw new IOException("the origin failed while sending the item", failure);
    }
    return written;
  }

  /** Reads up to {@code into.remaining()} bytes at {@code position}, all of them written. */
  int read(ByteBuffer into, long position) throws IOException {
    return channel.read(into, position);
  }
}
