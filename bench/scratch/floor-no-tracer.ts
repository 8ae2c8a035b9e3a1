/** Scratch: the dependency floor without Powertools Tracer (what Tracer costs on its own). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';

export const logger = new Logger({ serviceName: 'klaxon-floor' });
export const metrics = new Metrics({ namespace: 'Klaxon', serviceName: 'klaxon-floor' });
export const provider = new SSMProvider({ awsSdkV3Client: new SSMClient({}) });
