package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.StatusAggregator;

/**
 * The outcome of one reconcile of an AwsCredentialRequest: the status aggregator every kind uses,
 * under this kind's name. The reconcile, {@link Issuance} and {@link Revocation} record into it;
 * {@link RequestStatusWriter} builds and writes it once.
 */
final class RequestOutcome
    extends StatusAggregator<AwsCredentialRequest, AwsCredentialRequestStatus> {
  RequestOutcome(AwsCredentialRequest request, Conditions conditions) {
    super(request, AwsCredentialRequestStatus::new, conditions);
  }
}
