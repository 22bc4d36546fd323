package io.awsauth.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.ConditionedStatus;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Writes events.k8s.io/v1 Events about the operator's objects. Messages are built by the callers
 * from reasons and names, never from secret material.
 */
@ApplicationScoped
public class EventRecorder {
  public static final String CONTROLLER = "aws-auth-operator";
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  private final java.util.concurrent.ExecutorService writer =
      java.util.concurrent.Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "event-writer");
            t.setDaemon(true);
            return t;
          });

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.instance = System.getenv().getOrDefault("HOSTNAME", "local");
  }

  /**
   * One Event per change of a condition's reason, not one per reconcile: Normal when the condition
   * is True, Warning otherwise. {@code before} is the status snapshot taken before the reconcile.
   */
  public void announceTransition(
      HasMetadata about, JsonNode before, ConditionedStatus now, String type, String action) {
    Condition current = now.condition(type).orElse(null);
    if (current == null || Objects.equals(reasonOf(before, type), current.getReason())) {
      return;
    }
    String eventType = Conditions.TRUE.equals(current.getStatus()) ? "Normal" : "Warning";
    emit(about, eventType, current.getReason(), action, current.getMessage());
  }

  private static String reasonOf(JsonNode status, String type) {
    if (status == null) {
      return null;
    }
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path("reason").asText();
      }
    }
    return null;
  }

  /** An Event of one of the operator's own reasons, with its type and action. */
  public void record(HasMetadata about, EventReason reason, String message) {
    emit(about, reason.warning() ? "Warning" : "Normal", reason.name(), reason.action(), message);
  }

  /**
   * Events are written off the reconcile thread: they are best effort, and a reconcile (an
   * issuance) should not wait for two more API-server round trips.
   */
  private void emit(HasMetadata about, String type, String reason, String action, String note) {
    ZonedDateTime at = ZonedDateTime.now(clock);
    try {
      writer.execute(() -> write(about, type, reason, action, note, at));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debugf("event %s on %s dropped: shutting down", reason, about.getMetadata().getName());
    }
  }

  @PreDestroy
  void close() throws InterruptedException {
    writer.shutdown();
    writer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void write(
      HasMetadata about, String type, String reason, String action, String note, ZonedDateTime at) {
    String namespace =
        about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
    try {
      client
          .events()
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(about.getMetadata().getName() + "." + UUID.randomUUID())
                  .withNamespace(namespace)
                  .endMetadata()
                  .withType(type)
                  .withReason(reason)
                  .withAction(action)
                  .withNote(truncate(note, 1024))
                  .withReportingController(CONTROLLER)
                  .withReportingInstance(instance)
                  .withEventTime(new MicroTime(MICRO.format(at)))
                  .withRegarding(
                      new ObjectReferenceBuilder()
                          .withApiVersion(about.getApiVersion())
                          .withKind(about.getKind())
                          .withName(about.getMetadata().getName())
                          .withNamespace(about.getMetadata().getNamespace())
                          .withUid(about.getMetadata().getUid())
                          .withResourceVersion(about.getMetadata().getResourceVersion())
                          .build())
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // An Event is best effort: failing to record one must not fail the reconcile.
      LOG.debugf(
          "could not record event %s on %s: %s",
          reason, about.getMetadata().getName(), e.getCode());
    }
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
