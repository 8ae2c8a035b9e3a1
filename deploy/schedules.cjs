'use strict';
/**
 * Schedules of Klaxon's scheduled functions, resolved by osls while it reads serverless.yml:
 *
 *   events: ${file(./deploy/schedules.cjs):digestEvents}
 *
 * Each returns one scheduled `eventBridge` event taken from the klaxon.yml section (`digest`, `heartbeat`,
 * `selfCheck`), or none when the section is absent or `enabled: false`: the function is still
 * deployed (and can be invoked by hand) but nothing triggers it. The defaults here are the ones of
 * shared/config/scheduled.ts; the full check is `npm run validate`.
 */
const { configPath, fail, readKlaxonConfig } = require('./klaxon-config.cjs');

const EXPRESSION = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\((\S+ ){5}\S+\))$/;

const DEFAULTS = {
  digest: 'cron(0 8 * * ? *)',
  heartbeat: 'rate(5 minutes)',
  selfCheck: 'cron(0 7 * * ? *)',
};

/** The schedule expression of one section, or undefined when it is absent or disabled. */
function scheduleOf(section, file = configPath()) {
  const { config, shown } = readKlaxonConfig(file);
  const value = config[section];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail(shown, section, 'expected a mapping');
  if (value.enabled === false) return undefined;
  const expression = value.schedule ?? DEFAULTS[section];
  if (typeof expression !== 'string' || !EXPRESSION.test(expression)) {
    fail(shown, `${section}.schedule`, `expected rate(...) or cron(...), got ${JSON.stringify(expression)}`);
  }
  return expression;
}

/**
 * An `eventBridge` schedule rather than osls's `schedule` event: only the former takes a retry
 * policy and a dead-letter queue, which every EventBridge target of Klaxon has (a missed digest or
 * self-check lands in the alarm notifier's dead-letter queue, which raises the degraded alarm).
 */
function eventsFor(section) {
  const expression = scheduleOf(section);
  if (!expression) return [];
  return [
    {
      eventBridge: {
        schedule: expression,
        retryPolicy: { maximumEventAge: 3600, maximumRetryAttempts: 3 },
        deadLetterQueueArn: { 'Fn::GetAtt': ['AlarmNotifierDeadLetterQueue', 'Arn'] },
      },
    },
  ];
}

module.exports = {
  scheduleOf,
  digestEvents: () => eventsFor('digest'),
  heartbeatEvents: () => eventsFor('heartbeat'),
  selfCheckEvents: () => eventsFor('selfCheck'),
};
