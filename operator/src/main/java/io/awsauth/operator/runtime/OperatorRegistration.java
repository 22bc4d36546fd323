package io.awsauth.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkiverse.operatorsdk.runtime.QuarkusControllerConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The operator, with its controllers registered as quarkus-operator-sdk would, except that a
 * reconciler declaring {@code triggerReconcilerOnAllEvents = true} gets it, and that a shard
 * ({@link Sharding}) watches only its own requests and, unless it is the first shard, registers no
 * controller of a cluster-scoped kind.
 *
 * <p>quarkus-operator-sdk 7.4.0 reads the flag at build time but exposes it only through the
 * deprecated {@code isTriggerReconcilerOnAllEvents()}, while JOSDK 5.2 asks {@code
 * triggerReconcilerOnAllEvents()} (default false): without this producer the flag is lost, JOSDK
 * neither calls the reconciler for a deleted request nor lets it manage its own finalizer.
 */
public class OperatorRegistration {
  private static final Logger LOG = Logger.getLogger(OperatorRegistration.class);

  @Produces
  @Singleton
  Sharding sharding(OperatorConfig config) {
    Sharding sharding =
        Sharding.of(config.shard().name(), config.shard().names().orElse(List.of()));
    if (sharding.sharded()) {
      LOG.infof(
          "%s: requests selected by %s%s",
          sharding,
          sharding.requestSelector().orElse("(all)"),
          sharding.runsClusterWork() ? "; cluster-scoped kinds and sweeps here" : "");
    }
    return sharding;
  }

  @Produces
  @ApplicationScoped
  Operator operator(
      QuarkusConfigurationService configuration,
      Instance<Reconciler<? extends HasMetadata>> reconcilers,
      Sharding sharding) {
    Operator operator = new Operator(configuration);
    for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
      register(configuration, operator, reconciler, sharding);
    }
    int terminationTimeout = configuration.getTerminationTimeoutSeconds();
    if (terminationTimeout != QuarkusConfigurationService.UNSET_TERMINATION_TIMEOUT_SECONDS) {
      operator.installShutdownHook(Duration.ofSeconds(terminationTimeout));
    }
    return operator;
  }

  private static <P extends HasMetadata> void register(
      QuarkusConfigurationService configuration,
      Operator operator,
      Reconciler<P> reconciler,
      Sharding sharding) {
    ControllerConfiguration<P> conf = configuration.getConfigurationFor(reconciler);
    boolean namespaced = Namespaced.class.isAssignableFrom(conf.getResourceClass());
    if (!namespaced && !sharding.runsClusterWork()) {
      LOG.infof("controller %s: not here (%s; the first shard has it)", conf.getName(), sharding);
      return;
    }
    InformerConfiguration<P> informer = conf.getInformerConfig();
    Optional<String> selector =
        namespaced ? sharding.narrow(informer.getLabelSelector()) : Optional.empty();
    boolean narrowed = selector.isPresent() && !selector.get().equals(informer.getLabelSelector());
    if (narrowed) {
      LOG.infof("controller %s: resources selected by %s", conf.getName(), selector.get());
      informer =
          InformerConfiguration.builder(informer)
              .withLabelSelector(selector.get())
              .buildForController();
    }
    boolean allEvents = declaresAllEvents(conf) && !conf.triggerReconcilerOnAllEvents();
    if (conf instanceof QuarkusControllerConfiguration<P> quarkus && (allEvents || narrowed)) {
      if (allEvents) {
        LOG.debugf("controller %s: reconciler called on all events", conf.getName());
      }
      operator.register(reconciler, new Configured<>(quarkus, configuration, informer, allEvents));
      return;
    }
    if (narrowed) {
      throw new IllegalStateException(
          "controller " + conf.getName() + " cannot be narrowed to " + sharding);
    }
    operator.register(reconciler);
  }

  /**
   * The extension's configuration of a controller, with the given informer configuration, and
   * triggering the reconciler on all events if asked.
   */
  static final class Configured<P extends HasMetadata> extends QuarkusControllerConfiguration<P> {
    private final boolean allEvents;

    Configured(
        QuarkusControllerConfiguration<P> c,
        QuarkusConfigurationService service,
        InformerConfiguration<P> informer,
        boolean allEvents) {
      super(
          informer,
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
      this.allEvents = allEvents;
    }

    @Override
    public boolean triggerReconcilerOnAllEvents() {
      return allEvents || super.triggerReconcilerOnAllEvents();
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
