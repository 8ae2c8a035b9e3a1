/**
 * Points the AWS SDK (and Powertools) at a local emulator through environment variables, so that
 * handler code needs no endpoint plumbing.
 */

/** The environment variables {@link useMotoEnv} sets, given the emulator endpoint. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_MAX_ATTEMPTS: '1',
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Sets the AWS environment variables for a moto endpoint in `process.env` and returns a function
 * that restores the previous values (unsetting those that were not set before).
 *
 * @example
 * let restore: () => void;
 * beforeAll(() => { restore = useMotoEnv(inject('motoEndpoint')); });
 * afterAll(() => restore());
 */
export function useMotoEnv(endpoint: string): () => void {
  const values = motoEnv(endpoint);
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(values)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
