/**
 * Setup file of the `unit` vitest project: refuses every outgoing connection and fails the test
 * (or the file, for a connection made in a hook) that attempted one, even when the code under test
 * caught the refusal (a retry, a fallback).
 */
import { afterAll, afterEach } from 'vitest';
import { installNetworkGuard, takeRefusedConnections } from './network-guard';

installNetworkGuard();

function failOnRefusedConnection(): void {
  const [first] = takeRefusedConnections();
  if (first !== undefined) throw first;
}

afterEach(failOnRefusedConnection);
afterAll(failOnRefusedConnection);
