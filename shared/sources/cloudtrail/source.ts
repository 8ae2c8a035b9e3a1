import { DETECTIONS, type Detection } from '../../security/catalog';
import type { SourceDescriptor } from '../descriptor';
import { normalizeCloudTrail } from './normalize';
import { API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPES } from './schema';

/**
 * AWS service sources whose `AWS API Call via CloudTrail` events the registry hands to this
 * normalizer, besides those the catalog's patterns name. Root usage and unauthorized calls
 * (CIS CloudWatch.1/.2) match any service; these cover the common ones. A CloudTrail event from a
 * source not listed is reported as "unsupported event", never dropped silently.
 */
const COMMON_SOURCES = [
  'aws.acm',
  'aws.apigateway',
  'aws.athena',
  'aws.autoscaling',
  'aws.backup',
  'aws.cloudformation',
  'aws.cloudfront',
  'aws.cloudtrail',
  'aws.codebuild',
  'aws.codepipeline',
  'aws.cognito-idp',
  'aws.config',
  'aws.dynamodb',
  'aws.ec2',
  'aws.ecr',
  'aws.ecs',
  'aws.eks',
  'aws.elasticache',
  'aws.elasticloadbalancing',
  'aws.events',
  'aws.firehose',
  'aws.glue',
  'aws.guardduty',
  'aws.iam',
  'aws.kinesis',
  'aws.kms',
  'aws.lambda',
  'aws.logs',
  'aws.monitoring',
  'aws.organizations',
  'aws.rds',
  'aws.redshift',
  'aws.route53',
  'aws.s3',
  'aws.secretsmanager',
  'aws.securityhub',
  'aws.ses',
  'aws.sns',
  'aws.sqs',
  'aws.ssm',
  'aws.sso',
  'aws.states',
  'aws.sts',
  'aws.support',
  'aws.wafv2',
];

function patternSources(detection: Detection): string[] {
  const source = detection.pattern.source;
  return Array.isArray(source) ? source.filter((s): s is string => typeof s === 'string') : [];
}

/** The services whose API calls are routed to the catalog: the common ones and those its patterns name. */
const API_CALL_SOURCES: readonly string[] = [
  ...new Set([...COMMON_SOURCES, ...DETECTIONS.flatMap(patternSources)]),
]
  .filter((source) => source !== 'aws.signin')
  .sort();

/**
 * CloudTrail API calls and console sign-ins: the detection catalog. Their rules are generated from
 * the catalog (deploy/security-rules.json), not from this descriptor.
 */
export const cloudTrailSource: SourceDescriptor = {
  id: 'cloudtrail',
  label: 'cloudtrail',
  informational: false,
  eventBridge: [
    ...API_CALL_SOURCES.map((source) => ({
      source,
      detailTypes: [API_CALL_DETAIL_TYPE],
      normalize: normalizeCloudTrail,
    })),
    { source: 'aws.signin', detailTypes: SIGN_IN_DETAIL_TYPES, normalize: normalizeCloudTrail },
  ],
  anySource: { detailTypes: [API_CALL_DETAIL_TYPE, ...SIGN_IN_DETAIL_TYPES], normalize: normalizeCloudTrail },
};
