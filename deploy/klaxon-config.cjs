'use strict';
/**
 * Reads klaxon.yml for the deploy-time files (events.cjs, remediation-iam.cjs, function-roles.cjs),
 * which only need a few of its keys. The full schema check is `npm run validate`, which CI runs before packaging.
 * KLAXON_CONFIG=<path> reads another file (template tests).
 *
 * Detection ids are checked here too, against the ids of deploy/security-rules.json (generated
 * from the detection catalog): the functions' config loader does not bundle the catalog, so a
 * misspelt id must stop the deploy rather than pass unnoticed at cold start.
 */
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

/** The configuration file to read. */
function configPath() {
  const override = process.env.KLAXON_CONFIG;
  return override ? path.resolve(override) : path.resolve(__dirname, '..', 'klaxon.yml');
}

/** Throws an error naming the file and the bad key. */
function fail(file, where, message) {
  throw new Error(`${file}: ${where}: ${message} (run \`npm run validate -- ${file}\` for the full check)`);
}

/** Every detection id of the catalog, as deploy/security-rules.json lists them. */
function catalogDetectionIds() {
  const file = path.resolve(__dirname, 'security-rules.json');
  const { rules } = JSON.parse(fs.readFileSync(file, 'utf8'));
  return new Set(rules.flatMap((rule) => rule.detections ?? []));
}

/**
 * The detection ids of the `security:` section outside `known`, as `{ path, message }` with the
 * key's path and the message of `npm run validate`. Parts that are not shaped as the schema wants
 * are skipped: the full check reports them.
 */
function unknownDetections(config, known = catalogDetectionIds()) {
  const problems = [];
  const isMapping = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
  const checkList = (list, where) => {
    if (!Array.isArray(list)) return;
    list.forEach((id, index) => {
      if (typeof id === 'string' && !known.has(id)) {
        problems.push({
          path: `${where}[${index}]`,
          message: `unknown detection "${id}" (see shared/security/catalog.ts)`,
        });
      }
    });
  };
  const security = isMapping(config) ? config.security : undefined;
  if (!isMapping(security)) return problems;
  const detections = security.detections;
  if (isMapping(detections)) {
    checkList(detections.enabled, 'security.detections.enabled');
    checkList(detections.disabled, 'security.detections.disabled');
    for (const map of ['severity', 'thresholds']) {
      if (!isMapping(detections[map])) continue;
      for (const id of Object.keys(detections[map])) {
        if (!known.has(id)) {
          problems.push({ path: `security.detections.${map}.${id}`, message: `unknown detection "${id}"` });
        }
      }
    }
  }
  if (isMapping(security.allowlist)) {
    for (const kind of ['principals', 'cidrs', 'accounts']) {
      const entries = security.allowlist[kind];
      if (!Array.isArray(entries)) continue;
      entries.forEach((entry, index) => {
        if (isMapping(entry)) checkList(entry.detections, `security.allowlist.${kind}[${index}].detections`);
      });
    }
  }
  return problems;
}

/** Parses klaxon.yml into plain data; `shown` is the path to name in errors. */
function readKlaxonConfig(file = configPath()) {
  const relative = path.relative(process.cwd(), file);
  const shown = relative && !relative.startsWith('..') ? relative : file;
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${shown}: cannot read the Klaxon configuration (${error.code || error.message})`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) fail(shown, 'YAML', doc.errors[0].message);
  const config = doc.toJS() ?? {};
  if (typeof config !== 'object' || Array.isArray(config)) fail(shown, '(root)', 'expected a mapping');
  const [unknown] = unknownDetections(config);
  if (unknown) fail(shown, unknown.path, unknown.message);
  return { config, shown };
}

module.exports = { configPath, fail, readKlaxonConfig, unknownDetections };
