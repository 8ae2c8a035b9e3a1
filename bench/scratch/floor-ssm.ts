/** Scratch: the SSM-only floor of the first notifier (Logger, Metrics, Tracer, SSM client and provider). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SSMClient } from '@aws-sdk/client-ssm';

export const logger = new Logger({ serviceName: 'klaxon-floor' });
export const metrics = new Metrics({ namespace: 'Klaxon', serviceName: 'klaxon-floor' });
export const tracer = new Tracer({ serviceName: 'klaxon-floor', captureHTTPsRequests: false });
export const provider = new SSMProvider({ awsSdkV3Client: new SSMClient({}) });
