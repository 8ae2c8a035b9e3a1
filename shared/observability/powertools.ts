import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** The metrics namespace every Klaxon metric is published under. */
export const METRICS_NAMESPACE = 'Klaxon';

/** Powertools utilities configured once per function (service name from POWERTOOLS_SERVICE_NAME, level from LOG_LEVEL). */
export function createPowertools(serviceName: string): { logger: Logger; metrics: Metrics; tracer: Tracer } {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  // HTTP capture stays off: it would put webhook URLs, which are secrets, into X-Ray traces.
  const tracer = new Tracer({ serviceName, captureHTTPsRequests: false });
  return { logger, metrics, tracer };
}
