package dev.comments.geodns.dns;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.util.Locale;
import java.util.Set;

/**
 * The few Linux socket calls the batched UDP path needs, as downcalls into the C library (Java's
 * Foreign Function and Memory API). The constants and struct offsets are those of Linux on x86-64
 * and AArch64 (LP64, asm-generic socket options), the only platforms {@link #load} accepts.
 */
final class Libc {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int MSG_TRUNC = 0x20;
  static final int MSG_WAITFORONE = 0x1_0000;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  private static final int MSG_NOSIGNAL = 0x4000;

  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x8_0000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVBUF = 8;
  private static final int SO_REUSEPORT = 15;
  private static final int SO_RCVTIMEO = 20;
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_V6ONLY = 26;
  private static final int SHUT_RDWR = 2;
  private static final int EADDRINUSE = 98;
  private static final int EADDRNOTAVAIL = 99;
  private static final Set<String> ARCHITECTURES = Set.of("amd64", "x86_64", "aarch64");

  private static final Linker LINKER = Linker.nativeLinker();
  private static final MemoryLayout ERRNO_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private final MethodHandle socket;
  private final MethodHandle setsockopt;
  private final MethodHandle bind;
  private final MethodHandle getsockname;
  private final MethodHandle recvmmsg;
  private final MethodHandle sendmmsg;
  private final MethodHandle shutdown;
  private final MethodHandle close;
  private final MethodHandle strerror;

  private Libc() {
    SymbolLookup libc = LINKER.defaultLookup();
    Linker.Option errno = Linker.Option.captureCallState("errno");
    ValueLayout i = ValueLayout.JAVA_INT;
    ValueLayout p = ValueLayout.ADDRESS;
    socket = handle(libc, "socket", FunctionDescriptor.of(i, i, i, i), errno);
    setsockopt = handle(libc, "setsockopt", FunctionDescriptor.of(i, i, i, i, p, i), errno);
    bind = handle(libc, "bind", FunctionDescriptor.of(i, i, p, i), errno);
    getsockname = handle(libc, "getsockname", FunctionDescriptor.of(i, i, p, p), errno);
    recvmmsg = handle(libc, "recvmmsg", FunctionDescriptor.of(i, i, p, i, i, p), errno);
    sendmmsg = handle(libc, "sendmmsg", FunctionDescriptor.of(i, i, p, i, i), errno);
    shutdown = handle(libc, "shutdown", FunctionDescriptor.of(i, i, i), errno);
    close = handle(libc, "close", FunctionDescriptor.of(i, i), errno);
    strerror =
        LINKER.downcallHandle(
            libc.find("strerror").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.ADDRESS.withTargetLayout(
                    MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                i));
  }

  private static MethodHandle handle(
      SymbolLookup libc, String name, FunctionDescriptor descriptor, Linker.Option option) {
    return LINKER.downcallHandle(libc.find(name).orElseThrow(), descriptor, option);
  }

  /**
   * The C library's socket calls, or why this JVM cannot make them: another OS or architecture, or
   * native access not granted ({@code --enable-native-access=ALL-UNNAMED}).
   */
  static Libc load() {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.equals("Linux") || !ARCHITECTURES.contains(arch)) {
      throw new UnsupportedOperationException("recvmmsg needs Linux on x86-64 or AArch64");
    }
    if (!Libc.class.getModule().isNativeAccessEnabled()) {
      throw new UnsupportedOperationException(
          "native access is not enabled (--enable-native-access=ALL-UNNAMED)");
    }
    return new Libc();
  }

  /** One thread's scratch space for errno, and the arena it lives in. */
  static final class CallState {
    private final MemorySegment state;

    CallState(Arena arena) {
      this.state = arena.allocate(ERRNO_STATE);
    }

    int errno() {
      return (int) ERRNO.get(state, 0L);
    }
  }

  /** A bound UDP socket's file descriptor; SO_REUSEPORT when {@code reusePort}. */
  int openUdp(MemorySegment address, int family, boolean reusePort, int receiveBuffer)
      throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      CallState state = new CallState(arena);
      int fd = (int) socket.invokeExact(state.state, family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw failure("socket", state.errno());
      }
      try {
        MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
        // A deep queue absorbs bursts (the kernel caps it at net.core.rmem_max).
        option(state, fd, SOL_SOCKET, SO_RCVBUF, value, receiveBuffer);
        if (reusePort) {
          option(state, fd, SOL_SOCKET, SO_REUSEPORT, value, 1);
        }
        if (family == AF_INET6) {
          // Dual stack, as the JDK's IPv6 DatagramChannel is.
          option(state, fd, IPPROTO_IPV6, IPV6_V6ONLY, value, 0);
        }
        // struct timeval { long tv_sec; long tv_usec; }: a blocked receive wakes at least once a
        // second, so that a stop is seen even if the shutdown's wake-up were lost.
        MemorySegment second = arena.allocate(16);
        second.set(ValueLayout.JAVA_LONG, 0, 1);
        check(
            state,
            "setsockopt SO_RCVTIMEO",
            (int) setsockopt.invokeExact(state.state, fd, SOL_SOCKET, SO_RCVTIMEO, second, 16));
        int result = (int) bind.invokeExact(state.state, fd, address, (int) address.byteSize());
        if (result < 0) {
          int error = state.errno();
          if (error == EADDRINUSE || error == EADDRNOTAVAIL) {
            throw new BindException(message(error));
          }
          throw failure("bind", error);
        }
        return fd;
      } catch (IOException | RuntimeException | Error e) {
        closeFd(fd);
        throw e;
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private void option(CallState state, int fd, int level, int name, MemorySegment value, int v)
      throws Throwable {
    value.set(ValueLayout.JAVA_INT, 0, v);
    check(
        state,
        "setsockopt " + name,
        (int) setsockopt.invokeExact(state.state, fd, level, name, value, 4));
  }

  /** The local port of a bound socket. */
  int port(int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      CallState state = new CallState(arena);
      MemorySegment address = arena.allocate(SocketAddresses.SIZE);
      MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
      length.set(ValueLayout.JAVA_INT, 0, (int) SocketAddresses.SIZE);
      check(state, "getsockname", (int) getsockname.invokeExact(state.state, fd, address, length));
      return SocketAddresses.port(address);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** recvmmsg(2): datagrams received, or -1 with the errno in {@code state}. */
  int recvmmsg(CallState state, int fd, MemorySegment vector, int count, int flags) {
    try {
      return (int) recvmmsg.invokeExact(state.state, fd, vector, count, flags, MemorySegment.NULL);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** sendmmsg(2): datagrams sent, or -1 with the errno in {@code state}. */
  int sendmmsg(CallState state, int fd, MemorySegment vector, int count) {
    try {
      return (int) sendmmsg.invokeExact(state.state, fd, vector, count, MSG_NOSIGNAL);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Wakes every thread blocked receiving on {@code fd}; the descriptor stays open. */
  void shutdown(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      // An unbound-peer UDP socket says ENOTCONN, but the kernel has shut it and woken the readers.
      int ignored = (int) shutdown.invokeExact(new CallState(arena).state, fd, SHUT_RDWR);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  void closeFd(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) close.invokeExact(new CallState(arena).state, fd);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  String message(int errno) {
    try {
      MemorySegment text = (MemorySegment) strerror.invokeExact(errno);
      return text.getString(0) + " (errno " + errno + ")";
    } catch (Throwable e) {
      return "errno " + errno;
    }
  }

  private IOException failure(String call, int errno) {
    return new IOException(call + " failed: " + message(errno));
  }

  private void check(CallState state, String call, int result) throws IOException {
    if (result < 0) {
      throw failure(call, state.errno());
    }
  }
}
