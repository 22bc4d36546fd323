package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RolloutTarget;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.status.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/**
 * Restarts a request's rolloutRestartTargets after a rotation the way {@code kubectl rollout
 * restart} does: a new pod-template annotation, so the workload rolls to pods that read the new
 * credential. A missing target is a Warning Event, not a failure: the credential is already in the
 * Secret.
 */
@ApplicationScoped
public class RolloutRestarts {
  public static final String RESTARTED_AT = "awsauth.io/restartedAt";

  private final KubernetesClient client;
  private final EventRecorder events;

  public RolloutRestarts(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  public void restart(AwsCredentialRequest request, Instant at) {
    List<RolloutTarget> targets = request.getSpec().rolloutRestartTargets;
    if (targets == null) {
      return;
    }
    String namespace = request.getMetadata().getNamespace();
    String patch =
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\""
            + RESTARTED_AT
            + "\":\""
            + at
            + "\"}}}}}";
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    for (RolloutTarget target : targets) {
      try {
        Object patched =
            switch (target.kind) {
              case DEPLOYMENT ->
                  client
                      .apps()
                      .deployments()
                      .inNamespace(namespace)
                      .withName(target.name)
                      .patch(merge, patch);
              case STATEFUL_SET ->
                  client
                      .apps()
                      .statefulSets()
                      .inNamespace(namespace)
                      .withName(target.name)
                      .patch(merge, patch);
              case DAEMON_SET ->
                  client
                      .apps()
                      .daemonSets()
                      .inNamespace(namespace)
                      .withName(target.name)
                      .patch(merge, patch);
            };
        if (patched != null) {
          continue;
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
      events.record(
          request,
          EventReason.RolloutTargetNotFound,
          kindName(target) + " " + target.name + " (rolloutRestartTargets) does not exist");
    }
  }

  private static String kindName(RolloutTarget target) {
    return switch (target.kind) {
      case DEPLOYMENT -> "Deployment";
      case STATEFUL_SET -> "StatefulSet";
      case DAEMON_SET -> "DaemonSet";
    };
  }
}
