package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.credential.SessionDenials.Denial;
import io.awsauth.operator.credential.SessionDenials.Result;
import io.awsauth.operator.credential.SessionDenials.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionDenialsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  private static Denial denial(String lease, String userId, Instant issued, Duration lives) {
    return new Denial(lease, userId, issued, issued.plus(lives));
  }

  private static JsonNode doc(Result r) throws Exception {
    return JSON.readTree(r.document().orElseThrow());
  }

  @Test
  void aStatementDeniesOneSessionIssuedUpToItsSecond() throws Exception {
    Result r =
        SessionDenials.add(
            Optional.empty(),
            denial("a-1", "AROAX:s1", T0.plusSeconds(1), Duration.ofHours(1)),
            T0.plusSeconds(60),
            Scope.role(),
            0);
    JsonNode st = doc(r).get("Statement").get(0);
    assertThat(st.get("Effect").asText()).isEqualTo("Deny");
    assertThat(st.get("Action").asText()).isEqualTo("*");
    assertThat(st.at("/Condition/StringEquals/aws:userid").asText()).isEqualTo("AROAX:s1");
    assertThat(st.at("/Condition/DateLessThanEquals/aws:TokenIssueTime").asText())
        .isEqualTo("2026-12-03T10:00:01Z");
    assertThat(st.get("Sid").asText()).matches("[0-9A-Za-z]+");
    assertThat(r.changed()).isTrue();
    assertThat(r.cutoffAt()).isEmpty();
    assertThat(r.statements()).isEqualTo(1);
  }

  @Test
  void addingTheSameLeaseTwiceChangesNothing() {
    Denial d = denial("a-1", "AROAX:s1", T0, Duration.ofHours(1));
    Result first = SessionDenials.add(Optional.empty(), d, T0, Scope.role(), 0);
    Result again = SessionDenials.add(first.document(), d, T0.plusSeconds(5), Scope.role(), 0);
    assertThat(again.changed()).isFalse();
    assertThat(again.statements()).isEqualTo(1);
  }

  @Test
  void issueTimeIsTheLaterOfBothClocksRoundedUp() {
    Instant expires = Instant.parse("2026-12-03T11:00:00Z");
    // STS says 10:00:00; the operator's clock read 10:00:00.300 before the call.
    assertThat(
            SessionDenials.issuedBy(
                Instant.parse("2026-12-03T10:00:00.300Z"), expires, Duration.ofHours(1)))
        .isEqualTo(Instant.parse("2026-12-03T10:00:01Z"));
    // The operator's clock behind STS's by 2 s: STS's time wins.
    assertThat(
            SessionDenials.issuedBy(
                Instant.parse("2026-12-03T09:59:58Z"), expires, Duration.ofHours(1)))
        .isEqualTo(Instant.parse("2026-12-03T10:00:00Z"));
  }

  @Test
  void expiredCredentialsArePrunedAndTheLastOneTakesThePolicy() {
    Result r =
        SessionDenials.add(
            Optional.empty(),
            denial("a", "AROAX:s1", T0, Duration.ofMinutes(15)),
            T0,
            Scope.role(),
            0);
    r =
        SessionDenials.add(
            r.document(), denial("b", "AROAX:s2", T0, Duration.ofHours(1)), T0, Scope.role(), 0);
    assertThat(r.statements()).isEqualTo(2);
    assertThat(SessionDenials.lastExpiry(r.document())).isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(SessionDenials.nextPrune(r.document()))
        .contains(T0.plus(Duration.ofMinutes(15)).plus(SessionDenials.EXPIRY_MARGIN));

    // the operator's clock may be ahead of AWS's: a statement outlives its credential a little
    assertThat(SessionDenials.prune(r.document(), T0.plus(Duration.ofMinutes(15))).changed())
        .isFalse();
    Result pruned =
        SessionDenials.prune(
            r.document(), T0.plus(Duration.ofMinutes(15)).plus(SessionDenials.EXPIRY_MARGIN));
    assertThat(pruned.statements()).isEqualTo(1);
    assertThat(pruned.changed()).isTrue();
    assertThat(SessionDenials.prune(pruned.document(), T0.plusSeconds(60)).changed()).isFalse();

    Result gone =
        SessionDenials.prune(
            pruned.document(), T0.plus(Duration.ofHours(1)).plus(SessionDenials.EXPIRY_MARGIN));
    assertThat(SessionDenials.nextPrune(gone.document())).isEmpty();
    assertThat(gone.document()).isEmpty();
    assertThat(gone.changed()).isTrue();
    assertThat(SessionDenials.prune(Optional.empty(), T0).changed()).isFalse();
  }

  @Test
  void addingPrunesWhatExpired() {
    Result r =
        SessionDenials.add(
            Optional.empty(),
            denial("a", "AROAX:s1", T0, Duration.ofMinutes(15)),
            T0,
            Scope.role(),
            0);
    Instant later = T0.plus(Duration.ofMinutes(20));
    r =
        SessionDenials.add(
            r.document(),
            denial("b", "AROAX:s2", later, Duration.ofHours(1)),
            later,
            Scope.role(),
            0);
    assertThat(r.statements()).isEqualTo(1);
  }

  @Test
  void aPolicyPastTheLimitFallsBackToOneCutoff() throws Exception {
    Optional<String> doc = Optional.empty();
    int added = 0;
    Result r = null;
    while (true) {
      r =
          SessionDenials.add(
              doc,
              denial(
                  "lease-" + added, "AROAEXAMPLEEXAMPLE:session-" + added, T0, Duration.ofHours(1)),
              T0.plusMillis(500),
              Scope.role(),
              0);
      if (r.cutoffAt().isPresent()) {
        break;
      }
      assertThat(r.size()).isLessThanOrEqualTo(SessionDenials.ROLE_INLINE_LIMIT);
      doc = r.document();
      added++;
    }
    assertThat(added).isGreaterThan(30);
    assertThat(r.statements()).isEqualTo(1);
    assertThat(r.cutoffAt()).contains(T0.plusSeconds(1));
    JsonNode st = doc(r).get("Statement").get(0);
    assertThat(st.at("/Condition/DateLessThan/aws:TokenIssueTime").asText())
        .isEqualTo("2026-12-03T10:00:01Z");
    assertThat(st.at("/Condition/StringLike").isMissingNode()).isTrue();
    // kept as long as a role session can live, then pruned
    assertThat(SessionDenials.lastExpiry(r.document()))
        .isEqualTo(T0.plusSeconds(1).plus(SessionDenials.LONGEST_ROLE_SESSION));
    assertThat(
            SessionDenials.prune(
                    r.document(),
                    T0.plusSeconds(1)
                        .plus(SessionDenials.LONGEST_ROLE_SESSION)
                        .plus(SessionDenials.EXPIRY_MARGIN))
                .document())
        .isEmpty();
  }

  @Test
  void theOtherInlinePoliciesCountAgainstTheLimit() {
    Result r =
        SessionDenials.add(
            Optional.empty(),
            denial("a", "AROAX:s1", T0, Duration.ofHours(1)),
            T0,
            Scope.role(),
            SessionDenials.ROLE_INLINE_LIMIT - 100);
    assertThat(r.cutoffAt()).isPresent();
  }

  @Test
  void aSessionTheCutoffAlreadyDeniesNeedsNoStatement() {
    Result cut = SessionDenials.cutoff(Optional.empty(), T0.plusSeconds(30), Scope.role());
    Result r =
        SessionDenials.add(
            cut.document(),
            denial("a", "AROAX:s1", T0, Duration.ofHours(1)),
            T0.plusSeconds(40),
            Scope.role(),
            0);
    assertThat(r.changed()).isFalse();
    assertThat(r.cutoffAt())
        .as("so that its re-issues are made again")
        .contains(T0.plusSeconds(30));
    // a session issued after the cutoff gets its own statement
    Instant after = T0.plusSeconds(60);
    r =
        SessionDenials.add(
            cut.document(),
            denial("b", "AROAX:s1", after, Duration.ofHours(1)),
            after,
            Scope.role(),
            0);
    assertThat(r.statements()).isEqualTo(2);
  }

  @Test
  void aCutoffOnTheOperatorsUserCoversOnlyItsFederatedUsers() throws Exception {
    Result r = SessionDenials.cutoff(Optional.empty(), T0, Scope.federatedUsersOf("111122223333"));
    JsonNode st = doc(r).get("Statement").get(0);
    assertThat(st.at("/Condition/StringLike/aws:userid").asText()).isEqualTo("111122223333:*");
    assertThat(SessionDenials.lastExpiry(r.document()))
        .isEqualTo(T0.plus(SessionDenials.LONGEST_FEDERATION_TOKEN));
  }

  @Test
  void whitespaceIsNotCounted() {
    assertThat(SessionDenials.size("{ \"a b\" : 1 }\n")).isEqualTo(9);
  }

  @Test
  void statementsTheOperatorDidNotWriteAreKept() {
    String foreign =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Admin\",\"Effect\":\"Deny\","
            + "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
    assertThat(SessionDenials.prune(Optional.of(foreign), T0).statements()).isEqualTo(1);
  }
}
