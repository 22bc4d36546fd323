package io.awsauth.operator.reliability;

import io.awsauth.operator.testenv.TestEnvironmentExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reliability suite: an integration test of minutes to an hour against the {@link
 * io.awsauth.operator.testenv.TestEnvironment} that prints figures. Tagged {@value #TAG}: the
 * default build excludes the tag, {@code mvn -pl operator verify -Preliability} runs only it
 * (docs/development.md). {@code ReliabilityTagTest} checks that every {@code *Suite} carries it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(Reliability.TAG)
@ExtendWith(TestEnvironmentExtension.class)
public @interface Reliability {
  /** The JUnit tag; the failsafe {@code groups} of the {@code reliability} profile. */
  String TAG = "reliability";
}
