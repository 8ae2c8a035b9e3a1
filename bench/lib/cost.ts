/**
 * The cost model: what a million alerts cost at AWS list prices, computed from what the bench
 * measured (state-table request units, Lambda invocations and billed duration, log bytes, SQS and
 * SNS requests). Nothing in it is estimated but the prices, which are listed here with their source.
 */

/**
 * us-east-1 list prices (USD), read from the AWS pricing pages in 2026: Lambda (arm64, first tier),
 * DynamoDB on demand (Standard table class, after the November 2024 reduction), SQS standard
 * queues, CloudWatch Logs Standard ingestion, SNS standard topics. Free tiers are left out.
 */
export const LIST_PRICES = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  sqsPerMillionRequests: 0.4,
  logsPerGbIngested: 0.5,
  snsPerMillionPublishes: 0.5,
} as const;

/** Prices the model uses (the list prices unless a caller overrides some). */
export type Prices = { [K in keyof typeof LIST_PRICES]: number };

/** What a bench run measured, in totals over the run. */
export interface MeasuredUsage {
  /** Alerts the pipeline produced (the denominator). */
  alerts: number;
  /** Lambda invocations. */
  invocations: number;
  /** Billed Lambda milliseconds, each invocation rounded up to 1 ms. */
  billedMs: number;
  /** The function's configured memory, in MB (serverless.yml). */
  memoryMb: number;
  /** DynamoDB write and read request units. */
  writeUnits: number;
  readUnits: number;
  /** SQS requests (SendMessage; a 64 KB chunk is one request). */
  sqsRequests: number;
  /** SNS publishes: the alarm topics' (one per SNS event) and the ops receiver's. */
  snsPublishes: number;
  /** Bytes written to CloudWatch Logs (log lines and EMF). */
  logBytes: number;
}

/** One line of the cost: a service, its measured quantity per million alerts and its price. */
export interface CostLine {
  item: string;
  /** The quantity per million alerts, in the unit named. */
  quantity: number;
  unit: string;
  usd: number;
}

/** The cost per million alerts, by line. */
export interface CostPerMillion {
  lines: CostLine[];
  totalUsd: number;
}

const GB = 1024 ** 3;

/** The cost of a million alerts at the usage measured, line by line. */
export function costPerMillionAlerts(usage: MeasuredUsage, prices: Prices = LIST_PRICES): CostPerMillion {
  if (!(usage.alerts > 0)) throw new RangeError('the usage covers no alerts');
  const scale = 1_000_000 / usage.alerts;
  const gbSeconds = (usage.billedMs / 1000) * (usage.memoryMb / 1024) * scale;
  const invocations = usage.invocations * scale;
  const wru = usage.writeUnits * scale;
  const rru = usage.readUnits * scale;
  const sqs = usage.sqsRequests * scale;
  const sns = usage.snsPublishes * scale;
  const logGb = (usage.logBytes * scale) / GB;
  const lines: CostLine[] = [
    {
      item: 'Lambda requests',
      quantity: invocations,
      unit: 'invocations',
      usd: (invocations / 1e6) * prices.lambdaPerMillionRequests,
    },
    {
      item: `Lambda duration (arm64, ${usage.memoryMb} MB)`,
      quantity: gbSeconds,
      unit: 'GB-s',
      usd: gbSeconds * prices.lambdaArmPerGbSecond,
    },
    {
      item: 'DynamoDB writes (on demand)',
      quantity: wru,
      unit: 'WRU',
      usd: (wru / 1e6) * prices.dynamoPerMillionWriteUnits,
    },
    {
      item: 'DynamoDB reads (on demand)',
      quantity: rru,
      unit: 'RRU',
      usd: (rru / 1e6) * prices.dynamoPerMillionReadUnits,
    },
    {
      item: 'SQS requests',
      quantity: sqs,
      unit: 'requests',
      usd: (sqs / 1e6) * prices.sqsPerMillionRequests,
    },
    {
      item: 'SNS publishes',
      quantity: sns,
      unit: 'publishes',
      usd: (sns / 1e6) * prices.snsPerMillionPublishes,
    },
    { item: 'CloudWatch Logs ingestion', quantity: logGb, unit: 'GB', usd: logGb * prices.logsPerGbIngested },
  ];
  return { lines, totalUsd: lines.reduce((sum, line) => sum + line.usd, 0) };
}
