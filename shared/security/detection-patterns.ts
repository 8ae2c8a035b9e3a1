import { API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPES } from '../sources/cloudtrail/schema';
import { type ErrorPolicy, NO_ERROR } from './detection';
import type { EventPattern, PatternCondition } from './pattern';

/** Pattern builders and shared notes for the detection catalog's entries. */

/** The Security Hub user guide, where most control runbooks live. */
export const SH = 'https://docs.aws.amazon.com/securityhub/latest/userguide';
/** The Security Hub page of CIS CloudWatch control `n`. */
export const cisRunbook = (n: number) => `${SH}/cloudwatch-controls.html#cloudwatch-${n}`;

/** Builds the pattern of an `AWS API Call via CloudTrail` detection on one service. */
export function apiCall(
  service: string,
  eventNames: readonly PatternCondition[],
  more: { detail?: EventPattern; errors?: ErrorPolicy; eventSource?: string } = {},
): EventPattern {
  const detail: EventPattern = {
    eventSource: [more.eventSource ?? `${service}.amazonaws.com`],
    eventName: [...eventNames],
    ...(more.errors === 'include' ? {} : { errorCode: NO_ERROR }),
    ...more.detail,
  };
  return { source: [`aws.${service}`], 'detail-type': [API_CALL_DETAIL_TYPE], detail };
}

/** Builds the pattern of a console sign-in detection (`source: aws.signin`). */
export function signIn(eventName: string, detail: EventPattern): EventPattern {
  return {
    source: ['aws.signin'],
    'detail-type': [...SIGN_IN_DETAIL_TYPES],
    detail: { eventSource: ['signin.amazonaws.com'], eventName: [eventName], ...detail },
  };
}

/** Where global-service events arrive. */
export const GLOBAL_NOTE = 'IAM, STS-global and Organizations events are delivered only in us-east-1.';
/** Where Regional events arrive. */
export const REGIONAL_NOTE = 'Regional: deploy (or forward to the central bus) in every enabled Region.';
/** Where console sign-in events arrive. */
export const SIGN_IN_NOTE =
  'Root sign-in lands in us-east-1; IAM-user sign-ins land in the sign-in endpoint Region (us-east-1, ' +
  'us-east-2, eu-north-1, ap-southeast-2 for the global endpoint): forward from every enabled Region.';
