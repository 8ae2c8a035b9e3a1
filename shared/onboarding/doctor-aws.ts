import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetBucketTaggingCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CLIENT_TIMEOUTS } from '../aws/clients';
import {
  type AlarmFacts,
  type DoctorPort,
  isSensitiveTagSet,
  type RuleFacts,
  type TopicFacts,
  type TrailFacts,
} from './doctor';

/** The doctor's port over the AWS SDK clients (read-only calls only). */
export function awsDoctorPort(region: string): DoctorPort {
  const options = { region, requestHandler: CLIENT_TIMEOUTS.doctor };
  const cloudtrail = new CloudTrailClient(options);
  const cloudwatch = new CloudWatchClient(options);
  const sns = new SNSClient(options);
  const ssm = new SSMClient(options);
  const s3 = new S3Client(options);
  const events = new Map<string, EventBridgeClient>();
  const eventsIn = (r: string) => {
    let client = events.get(r);
    if (!client) events.set(r, (client = new EventBridgeClient({ ...options, region: r })));
    return client;
  };
  return {
    region,
    async describeTrails(): Promise<TrailFacts[]> {
      const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      return (trailList ?? []).map((t) => ({
        name: t.Name ?? '?',
        arn: t.TrailARN ?? t.Name ?? '?',
        homeRegion: t.HomeRegion,
        multiRegion: t.IsMultiRegionTrail === true,
        logFileValidation: t.LogFileValidationEnabled === true,
        kmsKeyId: t.KmsKeyId || undefined,
      }));
    },
    async trailIsLogging(arn) {
      const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: arn }));
      return status.IsLogging === true;
    },
    async eventSelectors(arn) {
      const found = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }));
      return {
        selectors: (found.EventSelectors ?? []).map((s) => ({
          includeManagementEvents: s.IncludeManagementEvents,
          readWriteType: s.ReadWriteType,
          dataResources: (s.DataResources ?? []).map((r) => ({ type: r.Type, values: r.Values })),
        })),
        advanced: (found.AdvancedEventSelectors ?? []).map((a) =>
          (a.FieldSelectors ?? []).map((f) => ({
            field: f.Field ?? '',
            equals: f.Equals,
            startsWith: f.StartsWith,
          })),
        ),
      };
    },
    async listRules(prefix, inRegion = region): Promise<RuleFacts[]> {
      const client = eventsIn(inRegion);
      const rules: RuleFacts[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListRulesCommand({ NamePrefix: prefix, NextToken: token }));
        for (const rule of page.Rules ?? [])
          if (rule.Name) rules.push({ name: rule.Name, state: rule.State });
        token = page.NextToken;
      } while (token);
      return rules;
    },
    async findTopic(name): Promise<TopicFacts | undefined> {
      let token: string | undefined;
      do {
        const page = await sns.send(new ListTopicsCommand(token ? { NextToken: token } : {}));
        const arn = page.Topics?.find((t) => t.TopicArn?.endsWith(`:${name}`))?.TopicArn;
        if (arn) {
          const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
          return { arn, policy: Attributes?.Policy, kmsMasterKeyId: Attributes?.KmsMasterKeyId || undefined };
        }
        token = page.NextToken;
      } while (token);
      return undefined;
    },
    async describeAlarms(): Promise<AlarmFacts[]> {
      const alarms: AlarmFacts[] = [];
      let token: string | undefined;
      do {
        const page = await cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: token }),
        );
        for (const [kind, list] of [
          ['metric', page.MetricAlarms ?? []],
          ['composite', page.CompositeAlarms ?? []],
        ] as const)
          for (const a of list)
            alarms.push({
              name: a.AlarmName ?? '?',
              kind,
              alarmActions: a.AlarmActions ?? [],
              okActions: a.OKActions ?? [],
              insufficientDataActions: a.InsufficientDataActions ?? [],
            });
        token = page.NextToken;
      } while (token);
      return alarms;
    },
    async sensitiveBuckets() {
      const sensitive: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListBucketsCommand(token ? { ContinuationToken: token } : {}));
        for (const bucket of page.Buckets ?? []) {
          if (!bucket.Name) continue;
          try {
            const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket.Name }));
            const tags = (TagSet ?? []).map((t) => ({ key: t.Key, value: t.Value }));
            if (isSensitiveTagSet(tags)) sensitive.push(bucket.Name);
          } catch (error) {
            // A bucket without tags answers NoSuchTagSet: not sensitive. Anything else is a real failure.
            if ((error as { name?: string }).name !== 'NoSuchTagSet') throw error;
          }
        }
        token = page.ContinuationToken;
      } while (token);
      return sensitive;
    },
    async parameterExists(name) {
      try {
        // WithDecryption false: a SecureString comes back encrypted; the value is discarded anyway.
        await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ParameterNotFound') return false;
        throw error;
      }
    },
  };
}
