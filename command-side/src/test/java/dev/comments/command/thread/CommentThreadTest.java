package dev.comments.command.thread;

import static dev.comments.command.thread.ThreadEvents.ALICE;
import static dev.comments.command.thread.ThreadEvents.BOB;
import static dev.comments.command.thread.ThreadEvents.T0;
import static dev.comments.command.thread.ThreadEvents.THREAD;
import static dev.comments.command.thread.ThreadEvents.deleted;
import static dev.comments.command.thread.ThreadEvents.flagged;
import static dev.comments.command.thread.ThreadEvents.locked;
import static dev.comments.command.thread.ThreadEvents.posted;
import static dev.comments.command.thread.ThreadEvents.reply;
import static dev.comments.command.thread.ThreadEvents.voted;
import static dev.comments.events.VoteDirection.DOWN;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.IdempotencyKeys;
import dev.comments.command.Rejection;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.ModerationAction;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.command.DeleteComment;
import dev.comments.events.command.EditComment;
import dev.comments.events.command.FlagComment;
import dev.comments.events.command.LockThread;
import dev.comments.events.command.ModerateComment;
import dev.comments.events.command.PostComment;
import dev.comments.events.command.UnlockThread;
import dev.comments.events.command.VoteOnComment;
import dev.comments.events.moderation.ModerationPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.hamcrest.CustomTypeSafeMatcher;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommentThreadTest {
  private AggregateTestFixture<CommentThread> fixture;

  @BeforeEach
  void setUp() {
    fixture = fixtureWith(ThreadRules.defaults());
  }

  private static AggregateTestFixture<CommentThread> fixtureWith(ThreadRules rules) {
    AggregateTestFixture<CommentThread> fixture = new AggregateTestFixture<>(CommentThread.class);
    fixture.registerInjectableResource(rules);
    fixture.registerCommandTargetResolver(new ThreadCommandTargetResolver());
    return fixture;
  }

  private static PostComment post(String commentId, String parentId, String text) {
    return new PostComment(THREAD, commentId, parentId, ALICE, text, T0);
  }

  private static EditComment edit(String commentId, String editor, String text, Instant at) {
    return new EditComment(THREAD, commentId, editor, text, at, null);
  }

  private static VoteOnComment vote(String commentId, String voter, VoteDirection direction) {
    return new VoteOnComment(THREAD, commentId, voter, direction, T0);
  }

  private static FlagComment flag(String commentId, String flagger, String reason) {
    return new FlagComment(THREAD, commentId, flagger, reason, T0);
  }

  private static void expectRejected(ResultValidator<CommentThread> result, Rejection rejection) {
    result.expectNoEvents().expectException(rejectedWith(rejection));
  }

  private static Matcher<CommandRejectedException> rejectedWith(Rejection rejection) {
    return new CustomTypeSafeMatcher<>("a command rejected with " + rejection) {
      @Override
      protected boolean matchesSafely(CommandRejectedException e) {
        return e.rejection() == rejection && !e.getMessage().isBlank();
      }
    };
  }

  // --- posting -------------------------------------------------------------------------------

  @Test
  void posting_into_a_new_thread_creates_it_with_the_first_event() {
    fixture
        .givenNoPriorActivity()
        .when(post("c1", null, "Hello"))
        .expectEvents(posted("c1"))
        .expectResultMessagePayload(new Outcome(0, "c1", CommentStatus.APPROVED));
  }

  @Test
  void a_post_with_media_logs_them_in_the_order_given() {
    List<String> media =
        List.of("3f9a0c2e7b6d41e58a1f0d2c9b8e7a61", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e");
    fixture
        .givenNoPriorActivity()
        .when(new PostComment(THREAD, "c1", null, ALICE, "Hello", T0, media, null))
        .expectEvents(
            new CommentPosted(
                THREAD.tenant(),
                THREAD.thread(),
                "c1",
                null,
                ALICE,
                "Hello",
                T0,
                CommentStatus.APPROVED,
                media,
                null));
  }

  @Test
  void a_post_logs_the_page_it_was_written_on_for_moderators() {
    HostPage page = new HostPage("https://news.example.com/launch", "Launch day");
    fixture
        .givenNoPriorActivity()
        .when(new PostComment(THREAD, "c1", null, ALICE, "Hello", T0, List.of(), page))
        .expectEvents(
            new CommentPosted(
                THREAD.tenant(),
                THREAD.thread(),
                "c1",
                null,
                ALICE,
                "Hello",
                T0,
                CommentStatus.APPROVED,
                List.of(),
                page));
  }

  @Test
  void stores_the_text_without_surrounding_whitespace() {
    fixture
        .givenNoPriorActivity()
        .when(post("c1", null, " \n\tHello \u2003"))
        .expectEvents(posted("c1"));
  }

  @Test
  void a_reply_returns_the_sequence_number_of_its_event() {
    fixture
        .given(posted("c1"))
        .when(new PostComment(THREAD, "c2", "c1", BOB, "Reply", T0))
        .expectEvents(reply("c2", "c1"))
        .expectResultMessagePayload(new Outcome(1, "c2", CommentStatus.APPROVED));
  }

  @Test
  void rejects_a_reply_to_a_parent_that_is_not_in_the_thread() {
    expectRejected(
        fixture.given(posted("c1")).when(post("c2", "elsewhere", "Hi")),
        Rejection.PARENT_NOT_FOUND);
  }

  @Test
  void rejects_a_reply_to_a_deleted_comment() {
    expectRejected(
        fixture.given(posted("c1"), deleted("c1")).when(post("c2", "c1", "Hi")),
        Rejection.COMMENT_DELETED);
  }

  @Test
  void accepts_a_reply_at_the_fifth_level() {
    fixture
        .given(posted("d1"), reply("d2", "d1"), reply("d3", "d2"), reply("d4", "d3"))
        .when(new PostComment(THREAD, "d5", "d4", BOB, "Reply", T0))
        .expectEvents(reply("d5", "d4"));
  }

  @Test
  void rejects_a_reply_below_the_fifth_level() {
    expectRejected(
        fixture
            .given(
                posted("d1"),
                reply("d2", "d1"),
                reply("d3", "d2"),
                reply("d4", "d3"),
                reply("d5", "d4"))
            .when(post("d6", "d5", "Too deep")),
        Rejection.REPLY_TOO_DEEP);
  }

  @Test
  void honours_a_configured_maximum_depth() {
    expectRejected(
        fixtureWith(new ThreadRules(2, Duration.ofMinutes(15)))
            .given(posted("d1"), reply("d2", "d1"))
            .when(post("d3", "d2", "Too deep for this tenant")),
        Rejection.REPLY_TOO_DEEP);
  }

  @Test
  void rejects_text_that_is_empty_after_trimming() {
    expectRejected(
        fixture.givenNoPriorActivity().when(post("c1", null, " \n\t ")), Rejection.TEXT_EMPTY);
  }

  @Test
  void rejects_missing_text_as_empty() {
    expectRejected(
        fixture.givenNoPriorActivity().when(post("c1", null, null)), Rejection.TEXT_EMPTY);
  }

  @Test
  void accepts_ten_thousand_code_points_even_when_they_take_twenty_thousand_chars() {
    String emoji = "\uD83D\uDE00".repeat(10_000);
    fixture
        .givenNoPriorActivity()
        .when(post("c1", null, emoji))
        .expectEvents(posted("c1", null, ALICE, emoji));
  }

  @Test
  void rejects_text_longer_than_ten_thousand_code_points() {
    expectRejected(
        fixture.givenNoPriorActivity().when(post("c1", null, "x".repeat(10_001))),
        Rejection.TEXT_TOO_LONG);
  }

  @Test
  void rejects_text_with_an_unpaired_surrogate() {
    expectRejected(
        fixture.givenNoPriorActivity().when(post("c1", null, "broken \uD83D text")),
        Rejection.TEXT_INVALID);
  }

  @Test
  void rejects_text_with_a_nul_or_other_control_character() {
    expectRejected(
        fixture.givenNoPriorActivity().when(post("c1", null, "a\u0000b")), Rejection.TEXT_INVALID);
    expectRejected(
        fixtureWith(ThreadRules.defaults())
            .givenNoPriorActivity()
            .when(post("c1", null, "a\u001Bb")),
        Rejection.TEXT_INVALID);
  }

  @Test
  void keeps_newlines_and_tabs_inside_the_text() {
    fixture
        .givenNoPriorActivity()
        .when(post("c1", null, "line one\n\tline two"))
        .expectEvents(posted("c1", null, ALICE, "line one\n\tline two"));
  }

  @Test
  void rejects_a_post_to_a_locked_thread() {
    expectRejected(fixture.given(locked()).when(post("c1", null, "Hi")), Rejection.THREAD_LOCKED);
  }

  // --- editing -------------------------------------------------------------------------------

  @Test
  void lets_the_author_edit_within_the_window() {
    Instant at = T0.plus(Duration.ofMinutes(15));
    fixture
        .given(posted("c1"))
        .when(edit("c1", ALICE.id(), " Better ", at))
        .expectEvents(
            new CommentEdited(
                THREAD.tenant(), THREAD.thread(), "c1", ALICE.id(), "Better", at, null))
        .expectResultMessagePayload(new Outcome(1, "c1", CommentStatus.APPROVED));
  }

  @Test
  void an_edit_naming_media_replaces_them_and_an_empty_list_clears_them() {
    Instant at = T0.plus(Duration.ofMinutes(1));
    List<String> media = List.of("3f9a0c2e7b6d41e58a1f0d2c9b8e7a61");
    fixture
        .given(posted("c1"))
        .when(new EditComment(THREAD, "c1", ALICE.id(), "Look", at, media))
        .expectEvents(
            new CommentEdited(
                THREAD.tenant(), THREAD.thread(), "c1", ALICE.id(), "Look", at, media));
    fixture
        .given(posted("c1"))
        .when(new EditComment(THREAD, "c1", ALICE.id(), "Gone", at, List.of()))
        .expectEvents(
            new CommentEdited(
                THREAD.tenant(), THREAD.thread(), "c1", ALICE.id(), "Gone", at, List.of()));
  }

  @Test
  void rejects_an_edit_after_the_window_closed() {
    expectRejected(
        fixture
            .given(posted("c1"))
            .when(edit("c1", ALICE.id(), "Late", T0.plus(Duration.ofMinutes(15)).plusMillis(1))),
        Rejection.EDIT_WINDOW_CLOSED);
  }

  @Test
  void honours_a_configured_edit_window() {
    expectRejected(
        fixtureWith(new ThreadRules(5, Duration.ofMinutes(1)))
            .given(posted("c1"))
            .when(edit("c1", ALICE.id(), "Late", T0.plus(Duration.ofMinutes(2)))),
        Rejection.EDIT_WINDOW_CLOSED);
  }

  @Test
  void rejects_an_edit_by_someone_other_than_the_author() {
    expectRejected(
        fixture.given(posted("c1")).when(edit("c1", BOB.id(), "Mine now", T0)),
        Rejection.NOT_AUTHOR);
  }

  @Test
  void rejects_an_edit_in_a_locked_thread() {
    expectRejected(
        fixture.given(posted("c1"), locked()).when(edit("c1", ALICE.id(), "Edit", T0)),
        Rejection.THREAD_LOCKED);
  }

  @Test
  void rejects_an_edit_of_a_deleted_comment() {
    expectRejected(
        fixture.given(posted("c1"), deleted("c1")).when(edit("c1", ALICE.id(), "Edit", T0)),
        Rejection.COMMENT_DELETED);
  }

  @Test
  void rejects_an_edit_of_an_unknown_comment() {
    expectRejected(
        fixture.given(posted("c1")).when(edit("nope", ALICE.id(), "Edit", T0)),
        Rejection.COMMENT_NOT_FOUND);
  }

  @Test
  void rejects_an_edit_to_empty_text() {
    expectRejected(
        fixture.given(posted("c1")).when(edit("c1", ALICE.id(), "  ", T0)), Rejection.TEXT_EMPTY);
  }

  // --- deleting ------------------------------------------------------------------------------

  @Test
  void lets_the_author_delete_even_in_a_locked_thread() {
    Instant at = T0.plus(Duration.ofDays(3));
    fixture
        .given(posted("c1"), locked())
        .when(new DeleteComment(THREAD, "c1", ALICE.id(), at))
        .expectEvents(new CommentDeleted(THREAD.tenant(), THREAD.thread(), "c1", ALICE.id(), at))
        .expectResultMessagePayload(new Outcome(2, "c1", CommentStatus.APPROVED));
  }

  @Test
  void rejects_a_delete_by_someone_other_than_the_author() {
    expectRejected(
        fixture.given(posted("c1")).when(new DeleteComment(THREAD, "c1", BOB.id(), T0)),
        Rejection.NOT_AUTHOR);
  }

  @Test
  void rejects_deleting_a_comment_twice() {
    expectRejected(
        fixture
            .given(posted("c1"), deleted("c1"))
            .when(new DeleteComment(THREAD, "c1", ALICE.id(), T0)),
        Rejection.COMMENT_DELETED);
  }

  // --- voting --------------------------------------------------------------------------------

  @Test
  void records_a_first_vote() {
    fixture
        .given(posted("c1"))
        .when(vote("c1", "bob", UP))
        .expectEvents(voted("c1", "bob", UP, NONE))
        .expectResultMessagePayload(new Outcome(1, "c1", CommentStatus.APPROVED));
  }

  @Test
  void changing_a_vote_replaces_it() {
    fixture
        .given(posted("c1"), voted("c1", "bob", UP, NONE))
        .when(vote("c1", "bob", DOWN))
        .expectEvents(voted("c1", "bob", DOWN, UP));
  }

  @Test
  void the_same_vote_again_changes_nothing_so_up_twice_stays_up() {
    fixture
        .given(posted("c1"), voted("c1", "bob", UP, NONE))
        .when(vote("c1", "bob", UP))
        .expectSuccessfulHandlerExecution()
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(1, "c1", CommentStatus.APPROVED));
    fixtureWith(ThreadRules.defaults())
        .given(posted("c1"), voted("c1", "bob", UP, NONE))
        .when(vote("c1", "bob", DOWN))
        .expectEvents(voted("c1", "bob", DOWN, UP));
  }

  @Test
  void clearing_an_existing_vote_with_none_clears_it() {
    fixture
        .given(posted("c1"), voted("c1", "bob", DOWN, NONE))
        .when(vote("c1", "bob", NONE))
        .expectEvents(voted("c1", "bob", NONE, DOWN));
  }

  @Test
  void clearing_a_vote_that_does_not_exist_changes_nothing_and_reports_the_current_seq() {
    fixture
        .given(posted("c1"), voted("c1", "carol", UP, NONE))
        .when(vote("c1", "bob", NONE))
        .expectSuccessfulHandlerExecution()
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(1, "c1", CommentStatus.APPROVED));
  }

  @Test
  void votes_of_different_users_are_independent() {
    fixture
        .given(posted("c1"), voted("c1", "carol", UP, NONE))
        .when(vote("c1", "bob", UP))
        .expectEvents(voted("c1", "bob", UP, NONE));
  }

  @Test
  void rejects_a_vote_in_a_locked_thread() {
    expectRejected(
        fixture.given(posted("c1"), locked()).when(vote("c1", "bob", UP)), Rejection.THREAD_LOCKED);
  }

  @Test
  void rejects_a_vote_on_a_deleted_comment() {
    expectRejected(
        fixture.given(posted("c1"), deleted("c1")).when(vote("c1", "bob", UP)),
        Rejection.COMMENT_DELETED);
  }

  @Test
  void rejects_a_vote_on_an_unknown_comment() {
    expectRejected(
        fixture.given(posted("c1")).when(vote("c9", "bob", UP)), Rejection.COMMENT_NOT_FOUND);
  }

  // --- flagging ------------------------------------------------------------------------------

  @Test
  void flags_a_comment_with_a_trimmed_reason_even_in_a_locked_thread() {
    fixture
        .given(posted("c1"), locked())
        .when(flag("c1", "bob", "  spam "))
        .expectEvents(flagged("c1", "bob", "spam"));
  }

  @Test
  void rejects_a_second_flag_by_the_same_user() {
    expectRejected(
        fixture.given(posted("c1"), flagged("c1", "bob", "spam")).when(flag("c1", "bob", "again")),
        Rejection.ALREADY_FLAGGED);
  }

  @Test
  void lets_another_user_flag_the_same_comment() {
    fixture
        .given(posted("c1"), flagged("c1", "bob", "spam"))
        .when(flag("c1", "carol", "rude"))
        .expectEvents(flagged("c1", "carol", "rude"));
  }

  @Test
  void rejects_an_empty_or_over_long_flag_reason() {
    expectRejected(
        fixture.given(posted("c1")).when(flag("c1", "bob", " ")), Rejection.REASON_INVALID);
    expectRejected(
        fixtureWith(ThreadRules.defaults())
            .given(posted("c1"))
            .when(flag("c1", "bob", "x".repeat(501))),
        Rejection.REASON_INVALID);
  }

  @Test
  void rejects_a_flag_on_a_deleted_comment() {
    expectRejected(
        fixture.given(posted("c1"), deleted("c1")).when(flag("c1", "bob", "spam")),
        Rejection.COMMENT_DELETED);
  }

  // --- locking -------------------------------------------------------------------------------

  @Test
  void locking_an_unknown_thread_creates_it_locked() {
    fixture
        .givenNoPriorActivity()
        .when(new LockThread(THREAD, "mod", T0))
        .expectEvents(new ThreadLocked(THREAD.tenant(), THREAD.thread(), "mod", T0))
        .expectResultMessagePayload(new Outcome(0, null, null));
  }

  @Test
  void locking_a_locked_thread_changes_nothing() {
    fixture
        .given(posted("c1"), locked())
        .when(new LockThread(THREAD, "mod", T0))
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(1, null, null));
  }

  @Test
  void unlocking_lets_the_thread_take_posts_again() {
    fixture
        .given(posted("c1"), locked())
        .when(new UnlockThread(THREAD, "mod", T0))
        .expectEvents(new ThreadUnlocked(THREAD.tenant(), THREAD.thread(), "mod", T0));
    fixtureWith(ThreadRules.defaults())
        .given(
            posted("c1"), locked(), new ThreadUnlocked(THREAD.tenant(), THREAD.thread(), "mod", T0))
        .when(post("c2", null, "Hello"))
        .expectEvents(posted("c2"));
  }

  // --- retries under an idempotency key --------------------------------------------------------

  private static final IdempotencyKeys.Key ANN_KEY = new IdempotencyKeys.Key("demo", "s-ann", "k1");

  private static MetaData key(String requestHash) {
    return KeyedCommands.metaData(ANN_KEY, requestHash);
  }

  private static EventMessage<?> underKey(Object event, String requestHash) {
    return new GenericEventMessage<>(event, key(requestHash));
  }

  @Test
  void a_keyed_command_leaves_its_key_on_its_event_and_nothing_else_of_its_metadata() {
    fixture
        .givenNoPriorActivity()
        .when(post("c1", null, "Hello"), key("h1").and("traceNote", "not for the store"))
        .expectEvents(underKey(posted("c1"), "h1"))
        .expectResultMessagePayload(new Outcome(0, "c1", CommentStatus.APPROVED));
  }

  @Test
  void a_post_the_thread_applied_under_the_same_key_is_answered_with_its_first_comment_id() {
    fixture
        .given(underKey(posted("c1"), "h1"), reply("c2", "c1"))
        .when(post("c-retry", null, "Hello"), key("h1"))
        .expectSuccessfulHandlerExecution()
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(0, "c1", CommentStatus.APPROVED));
  }

  @Test
  void a_settled_retry_runs_no_rule_again_even_on_a_thread_locked_since() {
    fixture
        .given(posted("c1"), underKey(voted("c1", "bob", UP, NONE), "h1"), locked())
        .when(vote("c1", "bob", UP), key("h1"))
        .expectSuccessfulHandlerExecution()
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(1, "c1", CommentStatus.APPROVED));
  }

  @Test
  void a_flag_retried_under_its_key_is_answered_not_refused_as_already_flagged() {
    fixture
        .given(posted("c1"), underKey(flagged("c1", "bob", "spam"), "h1"))
        .when(flag("c1", "bob", "spam"), key("h1"))
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(1, "c1", CommentStatus.APPROVED));
  }

  @Test
  void a_keyed_command_the_thread_never_applied_is_applied_now() {
    fixture
        .given(posted("c1"))
        .when(new LockThread(THREAD, "mod", T0), key("h1"))
        .expectEvents(underKey(locked(), "h1"))
        .expectResultMessagePayload(new Outcome(1, null, null));
  }

  @Test
  void the_same_key_on_a_different_request_is_a_new_command() {
    fixture
        .given(underKey(posted("c1"), "h1"))
        .when(post("c2", null, "Hello"), key("h2"))
        .expectEvents(underKey(posted("c2"), "h2"))
        .expectResultMessagePayload(new Outcome(1, "c2", CommentStatus.APPROVED));
  }

  @Test
  void asked_under_a_key_it_applied_the_thread_answers_the_first_outcome_and_applies_nothing() {
    fixture
        .given(underKey(posted("c1"), "h1"), reply("c2", "c1"))
        .when(new SettleRetry(THREAD, T0), key("h1"))
        .expectNoEvents()
        .expectResultMessagePayload(Optional.of(new Outcome(0, "c1", CommentStatus.APPROVED)));
    fixture
        .given(underKey(posted("c1"), "h1"))
        .when(new SettleRetry(THREAD, T0), key("h2"))
        .expectNoEvents()
        .expectResultMessagePayload(Optional.empty());
  }

  @Test
  void a_key_is_forgotten_once_it_is_older_than_the_key_store_keeps_it() {
    Instant later = T0.plus(IdempotencyKeys.KEPT_FOR);
    fixture
        .given(underKey(posted("c1"), "h1"))
        .when(new PostComment(THREAD, "c2", null, ALICE, "Hello", later), key("h1"))
        .expectEvents(
            underKey(
                new CommentPosted(
                    THREAD.tenant(), THREAD.thread(), "c2", null, ALICE, "Hello", later),
                "h1"))
        .expectResultMessagePayload(new Outcome(1, "c2", CommentStatus.APPROVED));
  }

  // --- moderation ----------------------------------------------------------------------------

  private static ModerateComment moderate(
      String commentId, ModerationAction action, String reason) {
    return new ModerateComment(THREAD, commentId, action, "mod-1", reason, T0);
  }

  private static CommentModerated moderated(
      String commentId, ModerationAction action, String reason) {
    return new CommentModerated(
        THREAD.tenant(), THREAD.thread(), commentId, action, "mod-1", reason, T0);
  }

  private static ThreadRules rulesWith(ModerationPolicy.PreModeration mode, int flagThreshold) {
    return new ThreadRules(
        5, Duration.ofMinutes(15), Map.of("demo", new ModerationPolicy(mode, flagThreshold)));
  }

  @Test
  void a_moderator_removes_and_restores_a_comment_naming_themselves_and_the_reason() {
    fixture
        .given(posted("c1"))
        .when(moderate("c1", ModerationAction.REMOVE, "off topic"))
        .expectEvents(moderated("c1", ModerationAction.REMOVE, "off topic"));
    fixture
        .given(posted("c1"), moderated("c1", ModerationAction.REMOVE, null))
        .when(moderate("c1", ModerationAction.RESTORE, null))
        .expectEvents(moderated("c1", ModerationAction.RESTORE, null));
  }

  @Test
  void an_action_that_finds_the_comment_where_it_would_put_it_applies_nothing() {
    fixture
        .given(posted("c1"))
        .when(moderate("c1", ModerationAction.APPROVE, null))
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(0, "c1", CommentStatus.APPROVED));
  }

  @Test
  void refuses_an_action_that_does_not_apply_to_the_comment_as_it_stands() {
    expectRejected(
        fixture.given(posted("c1")).when(moderate("c1", ModerationAction.REJECT, null)),
        Rejection.MODERATION_NOT_ALLOWED);
    expectRejected(
        fixture
            .given(posted("c1"), moderated("c1", ModerationAction.REMOVE, null))
            .when(moderate("c1", ModerationAction.PIN, null)),
        Rejection.MODERATION_NOT_ALLOWED);
    expectRejected(
        fixture
            .given(posted("c1"), reply("c2", "c1"))
            .when(moderate("c2", ModerationAction.PIN, null)),
        Rejection.MODERATION_NOT_ALLOWED);
    expectRejected(
        fixture
            .given(posted("c1"), deleted("c1"))
            .when(moderate("c1", ModerationAction.REMOVE, null)),
        Rejection.COMMENT_DELETED);
    expectRejected(
        fixture.given(posted("c1")).when(moderate("c9", ModerationAction.REMOVE, null)),
        Rejection.COMMENT_NOT_FOUND);
  }

  @Test
  void pre_moderation_of_all_holds_every_new_comment_as_pending() {
    fixtureWith(rulesWith(ModerationPolicy.PreModeration.ALL, 0))
        .givenNoPriorActivity()
        .when(post("c1", null, "Hello"))
        .expectEvents(
            new CommentPosted(
                "demo", "launch-day", "c1", null, ALICE, "Hello", T0, CommentStatus.PENDING))
        .expectResultMessagePayload(new Outcome(0, "c1", CommentStatus.PENDING));
  }

  @Test
  void a_retry_of_a_held_post_answers_the_status_the_comment_has_now() {
    fixtureWith(rulesWith(ModerationPolicy.PreModeration.ALL, 0))
        .given(
            underKey(
                new CommentPosted(
                    "demo", "launch-day", "c1", null, ALICE, "Hello", T0, CommentStatus.PENDING),
                "h1"),
            moderated("c1", ModerationAction.APPROVE, null))
        .when(post("c-retry", null, "Hello"), key("h1"))
        .expectNoEvents()
        .expectResultMessagePayload(new Outcome(0, "c1", CommentStatus.APPROVED));
  }

  @Test
  void pre_moderation_of_first_comments_lets_an_author_through_once_one_was_approved() {
    CommentPosted pending =
        new CommentPosted(
            "demo", "launch-day", "c1", null, ALICE, "Hello", T0, CommentStatus.PENDING);
    fixtureWith(rulesWith(ModerationPolicy.PreModeration.FIRST, 0))
        .given(pending, moderated("c1", ModerationAction.APPROVE, null))
        .when(post("c2", null, "Again"))
        .expectEvents(
            new CommentPosted(
                "demo", "launch-day", "c2", null, ALICE, "Again", T0, CommentStatus.APPROVED));
    fixtureWith(rulesWith(ModerationPolicy.PreModeration.FIRST, 0))
        .given(pending)
        .when(post("c2", null, "Again"))
        .expectEvents(
            new CommentPosted(
                "demo", "launch-day", "c2", null, ALICE, "Again", T0, CommentStatus.PENDING));
  }

  @Test
  void the_flag_that_reaches_the_threshold_holds_the_comment_for_a_moderator() {
    fixtureWith(rulesWith(ModerationPolicy.PreModeration.NONE, 2))
        .given(posted("c1"), flagged("c1", "bob", "rude"))
        .when(flag("c1", "carl", "rude"))
        .expectEvents(
            flagged("c1", "carl", "rude"), new CommentHeld("demo", "launch-day", "c1", 2, T0))
        .expectResultMessagePayload(new Outcome(3, "c1", CommentStatus.PENDING));
  }

  @Test
  void refuses_votes_on_a_pending_comment() {
    expectRejected(
        fixture
            .given(
                new CommentPosted(
                    "demo", "launch-day", "c1", null, ALICE, "Hello", T0, CommentStatus.PENDING))
            .when(vote("c1", "bob", VoteDirection.UP)),
        Rejection.COMMENT_NOT_FOUND);
  }
}
