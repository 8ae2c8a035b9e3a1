'use strict';
/**
 * The CloudWatch dashboard of Klaxon, built here so the JSON stays readable:
 *
 *   DashboardBody: ${file(./deploy/dashboard.cjs):dashboardBody}
 *
 * Metric widgets use SEARCH over the `Klaxon` namespace, so every dimension value Klaxon publishes
 * (a closed set, see shared/observability/metrics.ts) shows up without listing it here.
 */

/** One metrics-array entry (an array holding one expression object, as the dashboard body requires). */
function search(expression, id, label) {
  return [[{ expression, id, label, region: '${AWS::Region}' }]];
}

function widget(title, metrics, x, y, options = {}) {
  return {
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: {
      title,
      region: '${AWS::Region}',
      view: 'timeSeries',
      stacked: false,
      period: 300,
      metrics,
      ...options,
    },
  };
}

/** The informational sources' labels, generated from the source descriptors (scripts/generate-sources.ts). */
const { informationalSources: INFORMATIONAL_SOURCES } = require('./sources.json');

/** The `decision.*` fields of the notifier's "alert decided" log line that the timeline lists. */
const TIMELINE_FIELDS = ['source', 'kind', 'status', 'severity', 'summary'];

/**
 * Informational events (AWS Health, deployments, scaling, cost anomalies) as a timeline: a count per
 * source, and a Logs Insights table of the latest decisions from the operational-events and alarm
 * notifier logs.
 */
function informationalWidgets(y) {
  const perSource = INFORMATIONAL_SOURCES.flatMap((source) =>
    search(
      `SUM(SEARCH('{Klaxon,service,source,kind} MetricName="InformationalEvents" source="${source}"', 'Sum', 300))`,
      `info_${source.replace(/[^a-z0-9]/g, '_')}`,
      source,
    ),
  );
  const query = [
    // The operational-events function logs the EventBridge ones; cost anomalies sent by SNS arrive
    // through the alarm notifier. (One SOURCE per log group, joined by pipes, as CDK renders it.)
    "SOURCE '${OperationalEventsLogGroup}' | SOURCE '${AlarmNotifierLogGroup}'",
    `fields @timestamp, ${TIMELINE_FIELDS.map((field) => `decision.${field}`).join(', ')}`,
    `filter decision.source in [${INFORMATIONAL_SOURCES.map((source) => `"${source}"`).join(', ')}]`,
    'sort @timestamp desc',
    'limit 100',
  ].join(' | ');
  return [
    {
      ...widget('Informational events by source (Health, deployments, scaling, cost)', perSource, 0, y, {
        stacked: true,
      }),
      width: 24,
    },
    {
      type: 'log',
      x: 0,
      y: y + 6,
      width: 24,
      height: 8,
      properties: {
        title: 'Informational timeline: latest Health, deployment, scaling and cost-anomaly events',
        region: '${AWS::Region}',
        view: 'table',
        query,
      },
    },
  ];
}

function dashboardBody() {
  const widgets = [
    widget(
      'Alerts by severity and source',
      search(
        "SEARCH('{Klaxon,service,source,severity} MetricName=\"AlertsReceived\"', 'Sum', 300)",
        'alerts',
        '',
      ),
      0,
      0,
      { stacked: true },
    ),
    widget(
      'Deliveries by receiver type and outcome',
      [
        ...search(
          "SEARCH('{Klaxon,service,receiverType} MetricName=\"NotificationsDelivered\"', 'Sum', 300)",
          'ok',
          '',
        ),
        ...search(
          "SEARCH('{Klaxon,service,receiverType,retryable} MetricName=\"NotificationsFailed\"', 'Sum', 300)",
          'failed',
          '',
        ),
        ...search(
          "SEARCH('{Klaxon,service,receiverType,reason} MetricName=\"DeliveriesQueued\"', 'Sum', 300)",
          'queued',
          '',
        ),
        ...search(
          "SEARCH('{Klaxon,service,receiverType} MetricName=\"DeliveriesDeadLettered\"', 'Sum', 300)",
          'dead',
          '',
        ),
        ...search(
          "SEARCH('{Klaxon,service,receiverType} MetricName=\"DeliveriesDeduplicated\"', 'Sum', 300)",
          'dup',
          '',
        ),
      ],
      12,
      0,
    ),
    widget(
      'Suppressed alerts and rejected events',
      [
        ...search(
          "SEARCH('{Klaxon,service,source,reason} MetricName=\"AlertsSuppressed\"', 'Sum', 300)",
          'suppressed',
          '',
        ),
        ...search("SEARCH('{Klaxon,service,path} MetricName=\"EventsInvalid\"', 'Sum', 300)", 'invalid', ''),
        ...search("SEARCH('{Klaxon,service} MetricName=\"StateStoreDegraded\"', 'Sum', 300)", 'degraded', ''),
      ],
      0,
      6,
    ),
    widget(
      'Time from alarm to notification (ms)',
      [
        ...search(
          "SEARCH('{Klaxon,service,receiverType} MetricName=\"NotificationLatency\"', 'p50', 300)",
          'p50',
          'p50',
        ),
        ...search(
          "SEARCH('{Klaxon,service,receiverType} MetricName=\"NotificationLatency\"', 'p95', 300)",
          'p95',
          'p95',
        ),
        ...search(
          "SEARCH('{Klaxon,service,receiverType} MetricName=\"NotificationLatency\"', 'p99', 300)",
          'p99',
          'p99',
        ),
      ],
      12,
      6,
    ),
    widget(
      'Functions: errors and throttles',
      [
        ...search(
          "SEARCH('{AWS/Lambda,FunctionName} ${AWS::StackName} MetricName=\"Errors\"', 'Sum', 300)",
          'errors',
          '',
        ),
        ...search(
          "SEARCH('{AWS/Lambda,FunctionName} ${AWS::StackName} MetricName=\"Throttles\"', 'Sum', 300)",
          'throttles',
          '',
        ),
      ],
      0,
      12,
    ),
    widget(
      'Queues: waiting retries and dead letters',
      search(
        "SEARCH('{AWS/SQS,QueueName} ${AWS::StackName} MetricName=\"ApproximateNumberOfMessagesVisible\"', 'Maximum', 300)",
        'queues',
        '',
      ),
      12,
      12,
    ),
    widget(
      'Remediations by mode and outcome',
      search(
        "SEARCH('{Klaxon,service,mode,outcome} MetricName=\"RemediationsDecided\"', 'Sum', 300)",
        'remediations',
        '',
      ),
      0,
      18,
      { stacked: true },
    ),
    {
      type: 'alarm',
      x: 12,
      y: 18,
      width: 12,
      height: 3,
      properties: { title: 'Klaxon health', alarms: ['${KlaxonDegradedAlarm.Arn}'] },
    },
    ...informationalWidgets(24),
  ];
  return { 'Fn::Sub': JSON.stringify({ widgets }) };
}

module.exports = { dashboardBody, INFORMATIONAL_SOURCES, TIMELINE_FIELDS };
