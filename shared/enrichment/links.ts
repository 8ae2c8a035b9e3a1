import { urlComponent } from '../url';
import type { RunbookRule } from '../config/load';

/** The AWS console's host for a partition and region. */
export function consoleBase(partition: 'aws' | 'aws-cn' | 'aws-us-gov', region: string): string {
  switch (partition) {
    case 'aws-cn':
      return `https://${region}.console.amazonaws.cn`;
    case 'aws-us-gov':
      return `https://${region}.console.amazonaws-us-gov.com`;
    default:
      return `https://${region}.console.aws.amazon.com`;
  }
}

/** A deep link to one alarm in the CloudWatch console, in the alarm's own region and partition. */
export function alarmConsoleUrl(
  partition: 'aws' | 'aws-cn' | 'aws-us-gov',
  region: string,
  alarmName: string,
): string {
  return `${consoleBase(partition, region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${urlComponent(alarmName)}`;
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`)\]]+/;

/** The first http(s) URL in free text (alarm descriptions often carry the runbook), without trailing punctuation. */
export function firstUrl(text: string | undefined): string | undefined {
  const match = text?.match(URL_IN_TEXT)?.[0];
  return match?.replace(/[.,;:!?]+$/, '');
}

/** Where a runbook link came from, for the decision record. */
export type RunbookSource = 'catalog' | 'tag' | 'description';

/** Picks the runbook: the catalog first, else the alarm's `runbook` tag, else the first URL in its description. */
export function resolveRunbook(
  labels: Readonly<Record<string, string | undefined>>,
  catalog: readonly RunbookRule[],
  tagUrl: string | undefined,
  description: string | undefined,
): { url: string; from: RunbookSource } | undefined {
  const rule = catalog.find((r) => r.matcher.matches(labels));
  if (rule) return { url: rule.url, from: 'catalog' };
  if (tagUrl && /^https?:\/\//.test(tagUrl)) return { url: tagUrl, from: 'tag' };
  const fromDescription = firstUrl(description);
  return fromDescription ? { url: fromDescription, from: 'description' } : undefined;
}

/** An AWS partition, as alarm ARNs spell it. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/**
 * Encodes a value the way the CloudWatch console encodes state in its URL fragments (the "jsurl"
 * notation: `~(key~value)`, strings prefixed with `'`, unsafe characters as `*hh`). The console
 * fragments are not a published API; keep every use of them in this file.
 */
export function consoleState(value: unknown): string {
  const text = (s: string) =>
    s.replace(/[^\w.-]/g, (ch) => {
      if (ch === '$') return '!';
      const code = ch.charCodeAt(0);
      return code < 0x100
        ? `*${code.toString(16).padStart(2, '0')}`
        : `**${code.toString(16).padStart(4, '0')}`;
    });
  if (value === null || value === undefined) return '~null';
  if (typeof value === 'number')
    return `~${Number.isFinite(value) ? String(value).replace(/\+/, '') : 'null'}`;
  if (typeof value === 'boolean') return `~${value}`;
  if (typeof value === 'string') return `~'${text(value)}`;
  if (Array.isArray(value)) return `~(${value.map((item) => consoleState(item)).join('')})`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return `~(${entries.map(([key, item]) => `${text(key)}${consoleState(item)}`).join('~')})`;
}

/** A metric of a graph link: a metric stat, or a math expression over others. */
export type GraphMetric =
  | {
      id?: string;
      namespace: string;
      metricName: string;
      dimensions: Record<string, string>;
      stat?: string;
      period?: number;
      visible?: boolean;
    }
  | { id: string; expression: string; label?: string };

/** A window of time for console links (absolute, UTC). */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** A CloudWatch metric graph for the alarm's metric(s), period and window, with the threshold drawn. */
export function metricGraphUrl(
  partition: Partition,
  region: string,
  metrics: readonly GraphMetric[],
  window: TimeWindow,
  options: { stat?: string; period?: number; threshold?: number; title?: string } = {},
): string {
  const rows = metrics.map((metric) => {
    if ('expression' in metric) {
      return [{ expression: metric.expression, label: metric.label, id: metric.id }];
    }
    const dimensions = Object.entries(metric.dimensions).flat();
    const rendering = { stat: metric.stat, period: metric.period, id: metric.id, visible: metric.visible };
    const present = Object.values(rendering).some((v) => v !== undefined);
    return [metric.namespace, metric.metricName, ...dimensions, ...(present ? [rendering] : [])];
  });
  const graph = {
    metrics: rows,
    view: 'timeSeries',
    stacked: false,
    region,
    stat: options.stat,
    period: options.period,
    title: options.title,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    annotations:
      options.threshold !== undefined
        ? { horizontal: [{ label: 'threshold', value: options.threshold }] }
        : undefined,
  };
  return `${consoleBase(partition, region)}/cloudwatch/home?region=${region}#metricsV2:graph=${consoleState(graph)}`;
}

/** A Logs Insights query, prefilled with log groups, query text and an absolute window. */
export function logsInsightsUrl(
  partition: Partition,
  region: string,
  logGroups: readonly string[],
  query: string,
  window: TimeWindow,
): string {
  const detail = {
    end: window.end.toISOString(),
    start: window.start.toISOString(),
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: query,
    source: [...logGroups],
  };
  // The console escapes `?` and `=` of the inner route as `$3F` and `$3D`.
  return `${consoleBase(partition, region)}/cloudwatch/home?region=${region}#logsV2:logs-insights$3FqueryDetail$3D${consoleState(detail)}`;
}

/** The default Logs Insights query: the errors of the window first, newest first. */
export const ERROR_QUERY = [
  'fields @timestamp, @logStream, @message',
  '| filter @message like /(?i)(error|exception|timed out|fatal|panic)/',
  '| sort @timestamp desc',
  '| limit 200',
].join('\n');

/** X-Ray traces of one service for a window (an X-Ray filter expression, e.g. `service("name")`). */
export function xrayTracesUrl(
  partition: Partition,
  region: string,
  filter: string,
  window: TimeWindow,
): string {
  const range = `${window.start.toISOString().slice(0, 19)}~${window.end.toISOString().slice(0, 19)}`;
  return `${consoleBase(partition, region)}/xray/home?region=${region}#/traces?timeRange=${range}&filter=${urlComponent(filter)}`;
}

/** CloudTrail event history filtered by one lookup attribute (e.g. `Username`) over a window. */
export function cloudTrailHistoryUrl(
  partition: Partition,
  region: string,
  attribute: 'Username' | 'EventName' | 'ResourceName' | 'AccessKeyId' | 'EventSource',
  value: string,
  window: TimeWindow,
): string {
  const query = new URLSearchParams({
    [attribute]: value,
    StartTime: window.start.toISOString(),
    EndTime: window.end.toISOString(),
  });
  return `${consoleBase(partition, region)}/cloudtrailv2/home?region=${region}#/events?${query.toString()}`;
}

/** Where the logs and traces of an alarmed resource are, derived from its namespace and dimensions. */
export interface ResourceTelemetry {
  logGroups: string[];
  /** An X-Ray filter expression for the resource's service, when it is traced by convention. */
  xrayFilter?: string;
}

const quoted = (value: string) => JSON.stringify(value);

/**
 * The log groups (and X-Ray service) of a resource by AWS convention: Lambda `/aws/lambda/<fn>`;
 * API Gateway REST execution logs `API-Gateway-Execution-Logs_<id>/<stage>`; ECS `/ecs/<service>`
 * (the console's default for a task family named after its service). A `logGroup` alarm tag wins.
 */
export function resourceTelemetry(
  namespace: string | undefined,
  dimensions: Readonly<Record<string, string>>,
  logGroupTag?: string,
): ResourceTelemetry | undefined {
  const tagged = logGroupTag
    ?.split(',')
    .map((group) => group.trim())
    .filter(Boolean);
  let derived: ResourceTelemetry | undefined;
  switch (namespace) {
    case 'AWS/Lambda': {
      const fn = dimensions.FunctionName;
      if (fn) {
        derived = {
          logGroups: [`/aws/lambda/${fn}`],
          xrayFilter: `service(id(name: ${quoted(fn)}, type: "AWS::Lambda::Function"))`,
        };
      }
      break;
    }
    case 'AWS/ApiGateway': {
      const stage = dimensions.Stage;
      const api = dimensions.ApiId;
      const name = dimensions.ApiName;
      derived = {
        logGroups: api && stage ? [`API-Gateway-Execution-Logs_${api}/${stage}`] : [],
        xrayFilter: name && stage ? `service(${quoted(`${name}/${stage}`)})` : undefined,
      };
      break;
    }
    case 'AWS/ECS':
    case 'ECS/ContainerInsights': {
      const service = dimensions.ServiceName;
      if (service) derived = { logGroups: [`/ecs/${service}`] };
      break;
    }
    default:
      break;
  }
  if (tagged && tagged.length > 0) return { logGroups: tagged, xrayFilter: derived?.xrayFilter };
  if (!derived || (derived.logGroups.length === 0 && !derived.xrayFilter)) return undefined;
  return derived;
}
