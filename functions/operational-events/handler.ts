import klaxonYml from '../../klaxon.yml';
import { type PipelineHandlerResult, pipelineFunction } from '../../shared/lambda/pipeline-handler';
import { operationalEventsComposition } from '../../shared/compositions/operational-events';

/**
 * The operational-events function: AWS Health, CodeDeploy and ECS deployments, Auto Scaling
 * activity and Cost Anomaly Detection events through the same pipeline as alarms. It is its own
 * function, with its own reserved concurrency, so a burst of scaling or deployment events can never
 * throttle the alarm notifier that pages.
 */
export type OperationalEventsResult = PipelineHandlerResult;

const operationalEvents = pipelineFunction(operationalEventsComposition, klaxonYml);

/** Builds the operational-events handler around dependencies created once (tests inject their own). */
export const createOperationalEvents = operationalEvents.create;

/** The Lambda entry point for the informational EventBridge rule. */
export const handler = operationalEvents.handler;
