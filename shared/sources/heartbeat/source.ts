import type { SourceDescriptor } from '../descriptor';
import { isHeartbeatMessage, normalizeHeartbeat } from './normalize';

/** Klaxon's own heartbeat (functions/heartbeat), published to the alarm topic: SNS only. */
export const heartbeatSource: SourceDescriptor = {
  id: 'heartbeat',
  label: 'klaxon',
  key: 'heartbeat',
  informational: false,
  eventBridge: [],
  sns: { matches: isHeartbeatMessage, normalize: normalizeHeartbeat },
};
