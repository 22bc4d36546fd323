package io.awsauth.operator.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * An orderly stop (SIGTERM: a rolling update, a node drain): the reconciles in flight finish, then
 * the Lease is handed over, so the next leader takes over in seconds and issues nothing twice.
 *
 * <p>What JOSDK 5.2.1 and quarkus-operator-sdk 7.4.0 do by themselves is not that: on Quarkus's
 * {@link ShutdownEvent} the extension calls {@code Operator.stop()}, which waits {@code
 * ConfigurationService.reconciliationTerminationTimeout()} for the reconciles in flight, and that
 * is zero (the extension's {@code quarkus.operator-sdk.termination-timeout-seconds} only calls
 * {@code Operator.installShutdownHook(Duration)}, which in 5.2.1 ignores its argument and, without
 * leader election, adds a second JVM shutdown hook that would race this one). So a reconcile that
 * had its STS credential from AWS but had not written it to the Secret was interrupted, and the
 * next leader issued another. Nor does it release the Lease (JOSDK builds the elector with {@code
 * releaseOnCancel=false}): the next leader waited the whole lease duration.
 *
 * <p>Here, before the extension's stop: every controller's event processor stops (no reconcile
 * starts; one queued but not started is skipped), and the reconciles running are waited for, up to
 * {@code aao.shutdown.drain-timeout} (the chart derives it from the pod's {@code
 * terminationGracePeriodSeconds}), while the elector keeps renewing the Lease. Not if this replica
 * lost the Lease: what it still does may overlap with the new leader's work, so it stops at once
 * (as it would have before). After the extension's stop (which stops the elector), the Lease is
 * released the way client-go's {@code ReleaseOnCancel} does it (an empty holder, one second), if
 * this replica still holds it; for that the extension must not close the client in {@code
 * Operator.stop()} ({@code quarkus.operator-sdk.close-client-on-stop=false}).
 */
@ApplicationScoped
public class GracefulShutdown {
  private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

  private final Operator operator;
  private final Leadership leadership;
  private final KubernetesClient client;
  private final Duration drainTimeout;

  GracefulShutdown(
      Operator operator, Leadership leadership, KubernetesClient client, OperatorConfig config) {
    this.operator = operator;
    this.leadership = leadership;
    this.client = client;
    this.drainTimeout = config.shutdown().drainTimeout();
  }

  /** Before the extension's {@code Operator.stop()} (its observer has the default priority). */
  void drain(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
    leadership.stepDown();
    if (leadership.lostTheLease()) {
      LOG.info("shutting down after losing the Lease: reconciles in flight stop at once");
      return;
    }
    long start = System.nanoTime();
    ExecutorService reconciles = null;
    try {
      for (RegisteredController<?> registered : operator.getRegisteredControllers()) {
        if (registered instanceof Controller<?> controller) {
          if (controller.getEventProcessor() != null) {
            controller.getEventProcessor().stop();
          }
          if (reconciles == null && controller.getExecutorServiceManager() != null) {
            reconciles = controller.getExecutorServiceManager().reconcileExecutorService();
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warnf("could not stop event processing before shutdown: %s", e.toString());
      return;
    }
    if (reconciles == null) {
      return;
    }
    LOG.infof(
        "shutting down: no new reconciles; waiting up to %s for those in flight", drainTimeout);
    reconciles.shutdown();
    long deadline = start + drainTimeout.toNanos();
    try {
      while (!reconciles.awaitTermination(100, TimeUnit.MILLISECONDS)) {
        if (leadership.lostTheLease()) {
          LOG.warn("lost the Lease while reconciles finished: the rest stop at once");
          return;
        }
        if (System.nanoTime() > deadline) {
          LOG.warnf("reconciles still running after %s: they stop now", drainTimeout);
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    LOG.infof(
        "shutting down: reconciles in flight finished in %d ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** After the extension's {@code Operator.stop()}, which stopped the elector. */
  void releaseLease(
      @Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) ShutdownEvent event) {
    if (!leadership.electionIsOn() || leadership.identity() == null) {
      return;
    }
    String namespace = leadership.leaseNamespace().orElseGet(client::getNamespace);
    if (namespace == null) {
      return;
    }
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(leadership.leaseName()).get();
      if (lease == null
          || lease.getSpec() == null
          || !leadership.identity().equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      lease.getSpec().setHolderIdentity("");
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      // With the resourceVersion read: a conflict means someone else wrote it, and it is theirs.
      client.resource(lease).update();
      LOG.infof("released the Lease %s/%s", namespace, leadership.leaseName());
    } catch (RuntimeException e) {
      LOG.infof(
          "did not release the Lease %s/%s (it expires by itself): %s",
          namespace, leadership.leaseName(), e.getMessage());
    }
  }
}
