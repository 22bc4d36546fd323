package io.awsauth.operator.credential;

import static java.util.stream.Collectors.joining;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RolloutTarget;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Restarts a request's rolloutRestartTargets the way {@code kubectl rollout restart} does: a new
 * pod-template annotation, so the workload rolls to pods that read the new credential. A target
 * names one workload, or selects every workload of its kind in the request's namespace by labels.
 * The annotation's value is the time the restart was given ({@link RestartPlan}), so that patching
 * again with it changes nothing. A missing target is a Warning Event, not a failure: the credential
 * is already in the Secret. One Normal Event per restart says which workloads were restarted.
 */
@ApplicationScoped
public class RolloutRestarts {
  public static final String RESTARTED_AT = "awsauth.io/restartedAt";

  /** At most this many workloads are named in an Event (the others are counted). */
  private static final int NAMED_IN_EVENT = 10;

  private final KubernetesClient client;
  private final EventRecorder events;
  private final OperatorMetrics metrics;

  public RolloutRestarts(KubernetesClient client, EventRecorder events, OperatorMetrics metrics) {
    this.client = client;
    this.events = events;
    this.metrics = metrics;
  }

  /** Patches every target with restartedAt {@code at}, for the rotation to {@code leaseId}. */
  public void restart(AwsCredentialRequest request, String leaseId, Instant at) {
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
    List<String> restarted = new ArrayList<>();
    for (RolloutTarget target : targets) {
      String kind = kindName(target);
      if (target.name != null) {
        if (patch(target, namespace, target.name, patch)) {
          restarted.add(kind + "/" + target.name);
        } else {
          events.record(
              request,
              EventReason.RolloutTargetNotFound,
              kind + " " + target.name + " (rolloutRestartTargets) does not exist");
        }
        continue;
      }
      List<String> selected = selected(target, namespace);
      if (selected.isEmpty()) {
        metrics.rolloutRestart(kind, OperatorMetrics.RestartOutcome.NOT_FOUND);
        events.record(
            request,
            EventReason.RolloutTargetNotFound,
            "no " + kind + " matches " + labels(target) + " (rolloutRestartTargets)");
      }
      for (String name : selected) {
        // (one deleted since the list is not found: nothing to restart, nothing to say)
        if (patch(target, namespace, name, patch)) {
          restarted.add(kind + "/" + name);
        }
      }
    }
    if (!restarted.isEmpty()) {
      events.record(
          request,
          EventReason.RolloutRestarted,
          "restarted "
              + named(restarted)
              + " for the rotation to lease "
              + leaseId
              + " ("
              + RESTARTED_AT
              + " "
              + at
              + ")");
    }
  }

  /** Whether any workload of the targets carries restartedAt {@code at} already. */
  public boolean begun(AwsCredentialRequest request, Instant at) {
    List<RolloutTarget> targets = request.getSpec().rolloutRestartTargets;
    if (targets == null) {
      return false;
    }
    String namespace = request.getMetadata().getNamespace();
    for (RolloutTarget target : targets) {
      var workloads = client.resources(type(target)).inNamespace(namespace);
      List<? extends HasMetadata> found =
          target.name != null
              ? Optional.ofNullable(workloads.withName(target.name).get()).stream().toList()
              : workloads.withLabels(target.matchLabels).list().getItems();
      if (found.stream().anyMatch(w -> at.toString().equals(restartedAt(w)))) {
        return true;
      }
    }
    return false;
  }

  private static String restartedAt(HasMetadata workload) {
    PodTemplateSpec template = null;
    if (workload instanceof Deployment d) {
      template = d.getSpec().getTemplate();
    } else if (workload instanceof StatefulSet s) {
      template = s.getSpec().getTemplate();
    } else if (workload instanceof DaemonSet d) {
      template = d.getSpec().getTemplate();
    }
    if (template == null
        || template.getMetadata() == null
        || template.getMetadata().getAnnotations() == null) {
      return null;
    }
    return template.getMetadata().getAnnotations().get(RESTARTED_AT);
  }

  /** A restart was given a later time than now: counted, per target, as deferred. */
  public void deferred(AwsCredentialRequest request) {
    List<RolloutTarget> targets = request.getSpec().rolloutRestartTargets;
    if (targets != null) {
      targets.forEach(
          t -> metrics.rolloutRestart(kindName(t), OperatorMetrics.RestartOutcome.DEFERRED));
    }
  }

  /** Patches one workload; false when it does not exist. */
  private boolean patch(RolloutTarget target, String namespace, String name, String patch) {
    String kind = kindName(target);
    try {
      if (client
              .resources(type(target))
              .inNamespace(namespace)
              .withName(name)
              .patch(PatchContext.of(PatchType.JSON_MERGE), patch)
          != null) {
        metrics.rolloutRestart(kind, OperatorMetrics.RestartOutcome.RESTARTED);
        return true;
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    metrics.rolloutRestart(kind, OperatorMetrics.RestartOutcome.NOT_FOUND);
    return false;
  }

  /** The names of the workloads of the target's kind whose labels include its matchLabels. */
  private List<String> selected(RolloutTarget target, String namespace) {
    return client
        .resources(type(target))
        .inNamespace(namespace)
        .withLabels(target.matchLabels)
        .list()
        .getItems()
        .stream()
        .map(w -> w.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static Class<? extends HasMetadata> type(RolloutTarget target) {
    return switch (target.kind) {
      case DEPLOYMENT -> Deployment.class;
      case STATEFUL_SET -> StatefulSet.class;
      case DAEMON_SET -> DaemonSet.class;
    };
  }

  static String kindName(RolloutTarget target) {
    return switch (target.kind) {
      case DEPLOYMENT -> "Deployment";
      case STATEFUL_SET -> "StatefulSet";
      case DAEMON_SET -> "DaemonSet";
    };
  }

  private static String labels(RolloutTarget target) {
    return new TreeMap<>(target.matchLabels)
        .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(joining(","));
  }

  private static String named(List<String> workloads) {
    String shown =
        String.join(", ", workloads.subList(0, Math.min(NAMED_IN_EVENT, workloads.size())));
    int more = workloads.size() - NAMED_IN_EVENT;
    return more > 0 ? shown + " and " + more + " more" : shown;
  }
}
