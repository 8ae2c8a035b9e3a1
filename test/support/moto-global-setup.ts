/**
 * Vitest global setup: starts one moto server for the whole run and hands its endpoint to tests
 * through `inject('motoEndpoint')`.
 */
import type { TestProject } from 'vitest/node';
import { startMoto } from './moto';

declare module 'vitest' {
  /** Values the global setup provides to tests through `inject()`. */
  export interface ProvidedContext {
    /** Base URL of the moto server started for this run, e.g. `http://127.0.0.1:PORT`. */
    motoEndpoint: string;
  }
}

/** Starts moto once, provides `motoEndpoint` to tests and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await moto.stop();
  };
}
