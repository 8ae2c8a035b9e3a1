import { describe, expect, it } from 'vitest';
import {
  cloudTrailHistoryUrl,
  consoleState,
  ERROR_QUERY,
  logsInsightsUrl,
  metricGraphUrl,
  resourceTelemetry,
  xrayTracesUrl,
} from '../../../shared/enrichment/links';

const window = { start: new Date('2026-03-14T09:11:07Z'), end: new Date('2026-03-14T09:51:07Z') };
const alb = {
  namespace: 'AWS/ApplicationELB',
  metricName: 'HTTPCode_Target_5XX_Count',
  dimensions: { LoadBalancer: 'app/api-prod-alb/50dc6c495c0c9188' },
  stat: 'Sum',
  period: 60,
};

describe('console state encoding', () => {
  it('encodes objects, arrays, strings and numbers as the console does', () => {
    expect(consoleState({ a: 'x/y z', b: [1, true], c: undefined })).toBe("~(a~'x*2fy*20z~b~(~1~true))");
    expect(consoleState('$é€')).toBe("~'!*e9**20ac");
  });
});

describe('deep links', () => {
  it('builds a metric graph for the metric, period, window and threshold', () => {
    const url = metricGraphUrl('aws', 'us-east-1', [alb], window, { period: 60, stat: 'Sum', threshold: 5 });
    expect(
      url.startsWith(
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#metricsV2:graph=~(',
      ),
    ).toBe(true);
    expect(url).toContain(
      "~'AWS*2fApplicationELB~'HTTPCode_Target_5XX_Count~'LoadBalancer~'app*2fapi-prod-alb*2f50dc6c495c0c9188",
    );
    expect(url).toContain("start~'2026-03-14T09*3a11*3a07.000Z");
    expect(url).toContain('horizontal~(~(label~');
    expect(url).toContain('value~5');
  });

  it('uses the partition and region of the alarm (aws-cn, aws-us-gov)', () => {
    expect(metricGraphUrl('aws-cn', 'cn-north-1', [alb], window)).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/cloudwatch\/home\?region=cn-north-1#/,
    );
    expect(logsInsightsUrl('aws-us-gov', 'us-gov-west-1', ['/aws/lambda/fn'], ERROR_QUERY, window)).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\/cloudwatch\/home\?region=us-gov-west-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(/,
    );
    expect(xrayTracesUrl('aws-cn', 'cn-northwest-1', 'service("x")', window)).toMatch(
      /^https:\/\/cn-northwest-1\.console\.amazonaws\.cn\/xray\/home\?region=cn-northwest-1#\/traces\?timeRange=2026-03-14T09:11:07~2026-03-14T09:51:07&filter=/,
    );
    expect(cloudTrailHistoryUrl('aws-us-gov', 'us-gov-east-1', 'Username', 'alice', window)).toBe(
      'https://us-gov-east-1.console.amazonaws-us-gov.com/cloudtrailv2/home?region=us-gov-east-1#/events?Username=alice&StartTime=2026-03-14T09%3A11%3A07.000Z&EndTime=2026-03-14T09%3A51%3A07.000Z',
    );
  });

  it('prefills Logs Insights with the log group, the query and the window', () => {
    const url = logsInsightsUrl('aws', 'eu-west-1', ['/aws/lambda/checkout'], ERROR_QUERY, window);
    expect(url).toContain("source~(~'*2faws*2flambda*2fcheckout)");
    expect(url).toContain("timeType~'ABSOLUTE");
    expect(url).toContain("editorString~'fields*20*40timestamp");
    expect(url).toContain("end~'2026-03-14T09*3a51*3a07.000Z");
  });

  it('knows the log groups and traced services of Lambda, API Gateway and ECS; a logGroup tag wins', () => {
    expect(resourceTelemetry('AWS/Lambda', { FunctionName: 'checkout' })).toEqual({
      logGroups: ['/aws/lambda/checkout'],
      xrayFilter: 'service(id(name: "checkout", type: "AWS::Lambda::Function"))',
    });
    expect(resourceTelemetry('AWS/ApiGateway', { ApiId: 'a1b2c3', Stage: 'prod' })?.logGroups).toEqual([
      'API-Gateway-Execution-Logs_a1b2c3/prod',
    ]);
    expect(resourceTelemetry('AWS/ApiGateway', { ApiName: 'orders', Stage: 'prod' })).toEqual({
      logGroups: [],
      xrayFilter: 'service("orders/prod")',
    });
    expect(resourceTelemetry('AWS/ECS', { ClusterName: 'c', ServiceName: 'web' })?.logGroups).toEqual([
      '/ecs/web',
    ]);
    expect(resourceTelemetry('AWS/ApplicationELB', alb.dimensions)).toBeUndefined();
    expect(
      resourceTelemetry('AWS/ApplicationELB', alb.dimensions, '/app/api, /app/worker')?.logGroups,
    ).toEqual(['/app/api', '/app/worker']);
  });
});
