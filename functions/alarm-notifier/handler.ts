import klaxonYml from '../../klaxon.yml';
import { type PipelineHandlerResult, pipelineFunction } from '../../shared/lambda/pipeline-handler';
import { alarmNotifierComposition } from '../../shared/compositions/alarm-notifier';

/** What the alarm notifier returns. */
export type AlarmNotifierResult = PipelineHandlerResult;

const alarmNotifier = pipelineFunction(alarmNotifierComposition, klaxonYml);

/** Builds the alarm notifier around dependencies created once, on first use (tests inject their own). */
export const createAlarmNotifier = alarmNotifier.create;

/** The dependencies of the deployed function: bundled klaxon.yml, SSM secrets, state table and queues. */
export const deployedDeps = alarmNotifier.deployedDeps;

/** The Lambda entry point for SNS, EventBridge and direct alarm-action invocations. */
export const handler = alarmNotifier.handler;
