/** A signal of the same resource worth seeing next to the alarmed metric. */
export interface RelatedSignal {
  label: string;
  namespace: string;
  metricName: string;
  stat: string;
  /** The dimensions this metric is published with; all must be present on the alarm. */
  dimensions: readonly string[];
}

type SignalSpec = Omit<RelatedSignal, 'namespace'>;

/**
 * The related signals of the common namespaces ("first-minute triage"). DynamoDB's
 * `ThrottledRequests` is published per `Operation`, which an alarm on a table rarely names, so the
 * table-level read and write throttle events stand for it.
 */
const RELATED: Record<string, readonly SignalSpec[]> = {
  'AWS/Lambda': [
    { label: 'Errors', metricName: 'Errors', stat: 'Sum', dimensions: ['FunctionName'] },
    { label: 'Throttles', metricName: 'Throttles', stat: 'Sum', dimensions: ['FunctionName'] },
    { label: 'Duration p99', metricName: 'Duration', stat: 'p99', dimensions: ['FunctionName'] },
    {
      label: 'Concurrent executions',
      metricName: 'ConcurrentExecutions',
      stat: 'Maximum',
      dimensions: ['FunctionName'],
    },
  ],
  'AWS/DynamoDB': [
    { label: 'Read throttles', metricName: 'ReadThrottleEvents', stat: 'Sum', dimensions: ['TableName'] },
    { label: 'Write throttles', metricName: 'WriteThrottleEvents', stat: 'Sum', dimensions: ['TableName'] },
    {
      label: 'Consumed RCU',
      metricName: 'ConsumedReadCapacityUnits',
      stat: 'Sum',
      dimensions: ['TableName'],
    },
    {
      label: 'Consumed WCU',
      metricName: 'ConsumedWriteCapacityUnits',
      stat: 'Sum',
      dimensions: ['TableName'],
    },
  ],
  'AWS/RDS': [
    {
      label: 'Connections',
      metricName: 'DatabaseConnections',
      stat: 'Maximum',
      dimensions: ['DBInstanceIdentifier'],
    },
    {
      label: 'Freeable memory',
      metricName: 'FreeableMemory',
      stat: 'Minimum',
      dimensions: ['DBInstanceIdentifier'],
    },
    {
      label: 'Connections',
      metricName: 'DatabaseConnections',
      stat: 'Maximum',
      dimensions: ['DBClusterIdentifier'],
    },
    {
      label: 'Freeable memory',
      metricName: 'FreeableMemory',
      stat: 'Minimum',
      dimensions: ['DBClusterIdentifier'],
    },
  ],
  'AWS/ApplicationELB': [
    { label: 'Requests', metricName: 'RequestCount', stat: 'Sum', dimensions: ['LoadBalancer'] },
    {
      label: 'Target 5XX',
      metricName: 'HTTPCode_Target_5XX_Count',
      stat: 'Sum',
      dimensions: ['LoadBalancer'],
    },
    {
      label: 'Target response time p99',
      metricName: 'TargetResponseTime',
      stat: 'p99',
      dimensions: ['LoadBalancer'],
    },
    {
      label: 'Healthy hosts',
      metricName: 'HealthyHostCount',
      stat: 'Minimum',
      dimensions: ['TargetGroup', 'LoadBalancer'],
    },
  ],
  'AWS/ApiGateway': [
    { label: 'Requests', metricName: 'Count', stat: 'Sum', dimensions: ['ApiName', 'Stage'] },
    { label: '5XX', metricName: '5XXError', stat: 'Sum', dimensions: ['ApiName', 'Stage'] },
    { label: 'Latency p99', metricName: 'Latency', stat: 'p99', dimensions: ['ApiName', 'Stage'] },
  ],
  'AWS/ECS': [
    {
      label: 'CPU',
      metricName: 'CPUUtilization',
      stat: 'Average',
      dimensions: ['ClusterName', 'ServiceName'],
    },
    {
      label: 'Memory',
      metricName: 'MemoryUtilization',
      stat: 'Average',
      dimensions: ['ClusterName', 'ServiceName'],
    },
  ],
};

/** At most this many related signals go into one GetMetricData call. */
export const MAX_RELATED = 5;

/**
 * The related signals of the alarmed resource: those of its namespace whose dimensions the alarm
 * carries, other than the alarmed metric itself, each with exactly its own dimensions.
 */
export function relatedSignals(
  namespace: string | undefined,
  dimensions: Readonly<Record<string, string>>,
  alarmedMetric: string | undefined,
): Array<RelatedSignal & { dimensionValues: Record<string, string> }> {
  const specs = namespace ? (RELATED[namespace] ?? []) : [];
  const seen = new Set<string>();
  const out: Array<RelatedSignal & { dimensionValues: Record<string, string> }> = [];
  for (const spec of specs) {
    if (spec.metricName === alarmedMetric || seen.has(spec.metricName)) continue;
    if (!spec.dimensions.every((name) => dimensions[name] !== undefined)) continue;
    seen.add(spec.metricName);
    const dimensionValues = Object.fromEntries(
      spec.dimensions.map((name) => [name, dimensions[name] as string]),
    );
    out.push({ ...spec, namespace: namespace as string, dimensionValues });
  }
  return out.slice(0, MAX_RELATED);
}
