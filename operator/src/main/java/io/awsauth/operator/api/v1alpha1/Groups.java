package io.awsauth.operator.api.v1alpha1;

/** The API group and version of every kind of this operator. */
public final class Groups {
  private Groups() {}

  public static final String GROUP = "awsauth.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** The config a role or binding uses when it names none. */
  public static final String DEFAULT_AUTH_CONFIG = "default";
}
