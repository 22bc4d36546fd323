package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Conditions: Ready (the role can issue: its config is ready and AWS would accept it). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VaultAwsRoleStatus extends ConditionedStatus {}
