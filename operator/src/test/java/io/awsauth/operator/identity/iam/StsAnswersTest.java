package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.aws.CallerIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StsAnswersTest {
  private static final String IDENTITY =
      """
      <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <GetCallerIdentityResult>
          <Arn>arn:aws:sts::222222222222:assumed-role/vault-secondary-x/i-0abc</Arn>
          <UserId>AROAEXAMPLEROLEID:i-0abc</UserId>
          <Account>222222222222</Account>
        </GetCallerIdentityResult>
        <ResponseMetadata>
          <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
        </ResponseMetadata>
      </GetCallerIdentityResponse>
      """;

  @Test
  void identity() {
    assertThat(StsAnswers.parse(IDENTITY))
        .isEqualTo(
            new StsAnswer.Identified(
                new CallerIdentity(
                    "222222222222",
                    "arn:aws:sts::222222222222:assumed-role/vault-secondary-x/i-0abc",
                    "AROAEXAMPLEROLEID:i-0abc")));
  }

  @Test
  void identityWithXmlDeclarationAndWithoutNamespace() {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><GetCallerIdentityResponse>"
            + "<GetCallerIdentityResult><Arn>arn:aws-us-gov:iam::111111111111:user/ci</Arn>"
            + "<UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account>"
            + "</GetCallerIdentityResult></GetCallerIdentityResponse>";
    assertThat(StsAnswers.parse(xml))
        .isEqualTo(
            new StsAnswer.Identified(
                new CallerIdentity(
                    "111111111111", "arn:aws-us-gov:iam::111111111111:user/ci", "AIDAEXAMPLE")));
  }

  @Test
  void errorResponse() {
    String xml =
        """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error>
            <Type>Sender</Type>
            <Code>SignatureDoesNotMatch</Code>
            <Message>The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been
        'POST
        /

        host:sts.amazonaws.com
        x-amz-security-token:FwoGZXIvYXdzSECRET'
        </Message>
          </Error>
          <RequestId>x</RequestId>
        </ErrorResponse>
        """;
    StsAnswer answer = StsAnswers.parse(xml);
    assertThat(answer)
        .isEqualTo(
            new StsAnswer.Refused(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided."));
  }

  @Test
  void errorMessagesLoseAccessKeyIds() {
    String xml =
        "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The key"
            + " AKIAIOSFODNN7EXAMPLE is not valid; nor ASIAIOSFODNN7EXAMPLE</Message></Error>"
            + "</ErrorResponse>";
    assertThat(StsAnswers.parse(xml))
        .isEqualTo(
            new StsAnswer.Refused(
                "InvalidClientTokenId", "The key <access key> is not valid; nor <access key>"));
  }

  @Test
  void errorCodesThatAreNotTokensBecomeUnknown() {
    String xml = "<ErrorResponse><Error><Code>a b\nc</Code></Error></ErrorResponse>";
    assertThat(StsAnswers.parse(xml)).isEqualTo(new StsAnswer.Refused("Unknown", ""));
  }

  @Test
  void doctypesAreRefusedSoNoEntityIsExpanded() {
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>&x;</Arn>"
            + "<UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult>"
            + "</GetCallerIdentityResponse>";
    assertThatThrownBy(() -> StsAnswers.parse(xxe))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("root:");
    String billionLaughs =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
            + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><ErrorResponse><Error><Code>&b;"
            + "</Code></Error></ErrorResponse>";
    assertThatThrownBy(() -> StsAnswers.parse(billionLaughs))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{\"GetCallerIdentityResponse\": {}}",
        // A forged answer reflected inside another document (CVE-2020-16250).
        "<html><body><GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse></body></html>",
        "garbage<GetCallerIdentityResponse/>",
        "<GetCallerIdentityResponse xmlns=\"https://evil.example/\"><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult><GetCallerIdentityResult><Arn>arn:aws:iam::333333333333:user/y</Arn><UserId>AIDB</UserId><Account>333333333333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><Arn>arn:aws:iam::111111111111:user/y</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::333333333333:user/x</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>not an arn</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><UserId>AI DA</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        "<AssumeRoleResponse/>",
        "<GetCallerIdentityResponse>",
      })
  void anythingElseIsRefused(String body) {
    assertThatThrownBy(() -> StsAnswers.parse(body)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oversizeAnswersAreRefusedUnread() {
    String big =
        IDENTITY.replace(
            "<ResponseMetadata>",
            "<!--" + "x".repeat(StsAnswers.MAX_CHARS) + "--><ResponseMetadata>");
    assertThatThrownBy(() -> StsAnswers.parse(big)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StsAnswers.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseFailuresNeverQuoteTheBody() {
    assertThatThrownBy(() -> StsAnswers.parse("<x>AKIAIOSFODNN7EXAMPLE</x>"))
        .hasMessageNotContaining("AKIA");
  }
}
