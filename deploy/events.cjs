'use strict';
/**
 * Event sources of the alarm notifier, resolved by osls while it reads serverless.yml:
 *
 *   events: ${file(./deploy/events.cjs):alarmNotifierEvents}
 *
 * The result is the fixed events declared in serverless.yml under `custom.klaxon.alarmNotifierEvents`
 * followed by one `sns` event per `intake.alarmTopics` entry of klaxon.yml (topics users already
 * own, possibly in another account or region; their topic policy must let this account subscribe).
 *
 * Only the shape this file needs is checked here; the full schema check is `npm run validate`, which
 * CI runs before packaging. KLAXON_CONFIG=<path> reads another file (for template tests only: the
 * Lambda bundle always contains ./klaxon.yml).
 */
const { configPath, fail, readKlaxonConfig } = require('./klaxon-config.cjs');

const TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const TOPIC_NAME = /^[A-Za-z0-9_.-]+$/;

/** Reads `intake.alarmTopics` from klaxon.yml: `[{ arn, name }]`, name defaulting to the topic's name. */
function readAlarmTopics(file = configPath()) {
  const { config, shown } = readKlaxonConfig(file);
  const intake = config.intake ?? {};
  if (typeof intake !== 'object' || Array.isArray(intake)) fail(shown, 'intake', 'expected a mapping');
  const topics = intake.alarmTopics ?? [];
  if (!Array.isArray(topics)) fail(shown, 'intake.alarmTopics', 'expected a list of {arn, name?}');

  const seen = new Map();
  return topics.map((entry, index) => {
    const where = `intake.alarmTopics[${index}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      fail(shown, where, 'expected {arn, name?}');
    if (typeof entry.arn !== 'string' || !TOPIC_ARN.test(entry.arn)) {
      fail(shown, `${where}.arn`, `expected an SNS topic ARN, got ${JSON.stringify(entry.arn)}`);
    }
    if (entry.name !== undefined && (typeof entry.name !== 'string' || !TOPIC_NAME.test(entry.name))) {
      fail(shown, `${where}.name`, `expected letters, digits, _ . -, got ${JSON.stringify(entry.name)}`);
    }
    const name = entry.name ?? entry.arn.split(':').pop();
    // osls derives logical ids from the name with everything but letters and digits removed.
    const key = name.replace(/[^0-9A-Za-z]/g, '').toLowerCase();
    if (seen.has(key)) {
      fail(
        shown,
        `${where}.name`,
        `"${name}" collides with "${seen.get(key)}" (names must differ in letters/digits)`,
      );
    }
    seen.set(key, name);
    return { arn: entry.arn, name };
  });
}

/** One serverless `sns` event per intake topic (topicName keeps logical ids unique across accounts). */
function intakeTopicEvents() {
  return readAlarmTopics().map(({ arn, name }) => ({ sns: { arn, topicName: `intake-${name}` } }));
}

/** The fixed events from serverless.yml followed by the intake topics' events. */
async function alarmNotifierEvents({ resolveConfigurationProperty }) {
  const fixed = (await resolveConfigurationProperty(['custom', 'klaxon', 'alarmNotifierEvents'])) ?? [];
  if (!Array.isArray(fixed)) throw new Error('custom.klaxon.alarmNotifierEvents must be a list of events');
  return [...fixed, ...intakeTopicEvents()];
}

/**
 * Reads `intake.eventBridgeOverSns` from klaxon.yml: `[{ topicArn, accounts }]`, the topics the
 * operator allows to carry EventBridge events inside SNS messages (opt-in; none by default).
 */
function readEventBridgeOverSns(file = configPath()) {
  const { config, shown } = readKlaxonConfig(file);
  const intake = config.intake ?? {};
  if (typeof intake !== 'object' || Array.isArray(intake)) fail(shown, 'intake', 'expected a mapping');
  const topics = intake.eventBridgeOverSns ?? [];
  if (!Array.isArray(topics))
    fail(shown, 'intake.eventBridgeOverSns', 'expected a list of {topicArn, accounts}');
  const seen = new Set();
  return topics.map((entry, index) => {
    const where = `intake.eventBridgeOverSns[${index}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      fail(shown, where, 'expected {topicArn, accounts}');
    if (typeof entry.topicArn !== 'string' || !TOPIC_ARN.test(entry.topicArn)) {
      fail(shown, `${where}.topicArn`, `expected an SNS topic ARN, got ${JSON.stringify(entry.topicArn)}`);
    }
    if (seen.has(entry.topicArn)) fail(shown, `${where}.topicArn`, `duplicate topic ${entry.topicArn}`);
    seen.add(entry.topicArn);
    const accounts = entry.accounts;
    if (!Array.isArray(accounts) || accounts.length === 0 || !accounts.every((a) => /^\d{12}$/.test(a))) {
      fail(shown, `${where}.accounts`, 'expected a list of 12-digit account ids');
    }
    return { topicArn: entry.topicArn, accounts };
  });
}

/**
 * One `sns` event of the security responder per opted-in topic. The name is the topic's account and
 * name, so logical ids stay unique across accounts and never collide with the notifier's intake topics.
 */
function eventBridgeOverSnsEvents() {
  return readEventBridgeOverSns().map(({ topicArn }) => {
    const [, , , , account, name] = topicArn.split(':');
    return { sns: { arn: topicArn, topicName: `ebsns-${account}-${name}` } };
  });
}

/** The security responder's events: SSM status rules of the enabled documents, then the opted-in topics. */
function securityResponderEvents() {
  const { feedbackEvents } = require('./remediation-iam.cjs');
  return [...feedbackEvents(), ...eventBridgeOverSnsEvents()];
}

/** Topic ARNs that receivers in klaxon.yml publish to (`sns`, `email`; the stack's ops topic is added by the caller). */
function snsReceiverTopics(file = configPath()) {
  const { config } = readKlaxonConfig(file);
  const receivers =
    config.receivers && typeof config.receivers === 'object' ? Object.values(config.receivers) : [];
  return [
    ...new Set(
      receivers
        // Every receiver type that publishes to SNS (sns, email) names its topic `topicArn`.
        .filter((r) => r && typeof r.topicArn === 'string' && TOPIC_ARN.test(r.topicArn))
        .map((r) => r.topicArn),
    ),
  ];
}

/** The IAM resources of `sns:Publish`: the stack's ops topic and every topic a receiver names (`topicArn`). */
function snsPublishResources() {
  return [{ Ref: 'OpsTopic' }, ...snsReceiverTopics()];
}

module.exports = {
  alarmNotifierEvents,
  eventBridgeOverSnsEvents,
  readEventBridgeOverSns,
  securityResponderEvents,
  intakeTopicEvents,
  readAlarmTopics,
  snsPublishResources,
  snsReceiverTopics,
};
