package dev.comments.edge.thread;

import dev.comments.events.query.ThreadPage;

/** The JSON body of a page, for routes of other features that show one (a thread as it was). */
public final class PageBodies {
  private PageBodies() {}

  /** The page's body as the comments route writes it, without any reader's votes. */
  public static Object of(ThreadPage page) {
    return ThreadPageBody.withoutVotes(page);
  }
}
