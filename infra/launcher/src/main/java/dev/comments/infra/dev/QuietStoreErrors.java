package dev.comments.infra.dev;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops what the embedded store (mongo-java-server) logs of the errors it calls silent. It answers
 * them to the client as MongoDB does, but over the wire protocol of today's drivers (OP_MSG) it
 * also logs each at ERROR with its stack: a drop of a collection that is not there ("ns not found",
 * which MongoDB answers too and the driver takes as done) made every projection rebuild log eight
 * stack traces. The client still gets the answer; every other failure of the store is still logged.
 */
public final class QuietStoreErrors extends Filter<ILoggingEvent> {
  static final String SILENT = "de.bwaldvogel.mongo.exception.MongoSilentServerException";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    return thrown != null && SILENT.equals(thrown.getClassName())
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
