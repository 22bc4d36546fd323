package io.awsauth.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkiverse.operatorsdk.runtime.QuarkusControllerConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The operator, with its controllers registered as quarkus-operator-sdk would, except that a
 * reconciler declaring {@code triggerReconcilerOnAllEvents = true} gets it.
 *
 * <p>quarkus-operator-sdk 7.4.0 reads the flag at build time but exposes it only through the
 * deprecated {@code isTriggerReconcilerOnAllEvents()}, while JOSDK 5.2 asks {@code
 * triggerReconcilerOnAllEvents()} (default false): without this producer the flag is lost, JOSDK
 * neither calls the reconciler for a deleted request nor lets it manage its own finalizer.
 */
public class OperatorRegistration {
  private static final Logger LOG = Logger.getLogger(OperatorRegistration.class);

  @Produces
  @ApplicationScoped
  Operator operator(
      QuarkusConfigurationService configuration,
      Instance<Reconciler<? extends HasMetadata>> reconcilers) {
    Operator operator = new Operator(configuration);
    for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
      register(configuration, operator, reconciler);
    }
    int terminationTimeout = configuration.getTerminationTimeoutSeconds();
    if (terminationTimeout != QuarkusConfigurationService.UNSET_TERMINATION_TIMEOUT_SECONDS) {
      operator.installShutdownHook(Duration.ofSeconds(terminationTimeout));
    }
    return operator;
  }

  private static <P extends HasMetadata> void register(
      QuarkusConfigurationService configuration, Operator operator, Reconciler<P> reconciler) {
    ControllerConfiguration<P> conf = configuration.getConfigurationFor(reconciler);
    if (conf instanceof QuarkusControllerConfiguration<P> quarkus
        && declaresAllEvents(conf)
        && !conf.triggerReconcilerOnAllEvents()) {
      LOG.debugf("controller %s: reconciler called on all events", conf.getName());
      operator.register(reconciler, new OnAllEvents<>(quarkus, configuration));
      return;
    }
    operator.register(reconciler);
  }

  /** The extension's configuration of a controller, triggering the reconciler on all events. */
  static final class OnAllEvents<P extends HasMetadata> extends QuarkusControllerConfiguration<P> {
    OnAllEvents(QuarkusControllerConfiguration<P> c, QuarkusConfigurationService service) {
      super(
          c.getInformerConfig(),
          c.getName(),
          c.isGenerationAware(),
          c.getAssociatedReconcilerClassName(),
          c.getRetry(),
          c.getRateLimiter(),
          c.maxReconciliationInterval().orElse(null),
          c.getFinalizerName(),
          c.fieldManager(),
          c.getWorkflow(),
          c.getResourceTypeName(),
          c.getResourceClass());
      setParent(service);
    }

    @Override
    public boolean triggerReconcilerOnAllEvents() {
      return true;
    }
  }

  static boolean declaresAllEvents(ControllerConfiguration<?> conf) {
    try {
      var annotation =
          Class.forName(
                  conf.getAssociatedReconcilerClassName(),
                  false,
                  Thread.currentThread().getContextClassLoader())
              .getAnnotation(
                  io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration.class);
      return annotation != null && annotation.triggerReconcilerOnAllEvents();
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
