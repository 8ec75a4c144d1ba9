package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The pool off the I/O threads (those are every edge test's): the shared queue and its bound. */
class IoBuffersTest {
  @Test
  void gives_a_returned_buffer_out_again_cleared() {
    IoBuffers pool = new IoBuffers(64, 2, 4);
    PooledByteBuffer first = pool.allocate();
    ByteBuffer bytes = first.getBuffer();
    assertThat(bytes.isDirect()).isTrue();
    assertThat(bytes.capacity()).isEqualTo(64);
    bytes.put((byte) 1).flip();
    first.close();
    first.close(); // once only: a second close must not hand the buffer to two owners

    PooledByteBuffer again = pool.allocate();
    assertThat(again.getBuffer()).isSameAs(bytes);
    assertThat(again.getBuffer().position()).isZero();
    assertThat(again.getBuffer().limit()).isEqualTo(64);
    assertThat(pool.allocate().getBuffer()).isNotSameAs(bytes);
  }

  @Test
  void keeps_no_more_than_its_bound_and_refuses_a_given_back_buffer() {
    IoBuffers pool = new IoBuffers(16, 1, 0);
    PooledByteBuffer a = pool.allocate();
    PooledByteBuffer b = pool.allocate();
    ByteBuffer kept = a.getBuffer();
    a.close();
    b.close(); // over the bound of one: left to the garbage collector
    assertThat(a.isOpen()).isFalse();
    assertThatThrownBy(a::getBuffer).isInstanceOf(IllegalStateException.class);

    assertThat(pool.allocate().getBuffer()).isSameAs(kept);
    assertThat(pool.allocate().getBuffer()).isNotSameAs(kept);
  }

  @Test
  void a_closed_pool_hands_out_nothing() {
    IoBuffers pool = new IoBuffers(16, 4, 4);
    PooledByteBuffer open = pool.allocate();
    pool.close();
    open.close();
    assertThatThrownBy(pool::allocate).isInstanceOf(IllegalStateException.class);
    assertThat(pool.getArrayBackedPool().isDirect()).isFalse();
  }
}
