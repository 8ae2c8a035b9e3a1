import klaxonYml from '../../klaxon.yml';
import { type PipelineHandlerResult, pipelineFunction } from '../../shared/lambda/pipeline-handler';
import { securityResponderComposition } from '../../shared/compositions/security-responder';

/** What the security responder returns. */
export type SecurityResponderResult = PipelineHandlerResult;

const securityResponder = pipelineFunction(securityResponderComposition, klaxonYml);

/** Builds the security responder around dependencies created once, on first use (tests inject their own). */
export const createSecurityResponder = securityResponder.create;

/** The dependencies of the deployed function (the same pipeline as the alarm notifier). */
export const deployedDeps = securityResponder.deployedDeps;

/** The Lambda entry point for CloudTrail detections and GuardDuty / Security Hub findings (EventBridge). */
export const handler = securityResponder.handler;
