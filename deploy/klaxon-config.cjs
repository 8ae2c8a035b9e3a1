'use strict';
/**
 * Reads klaxon.yml for the deploy-time files (events.cjs, remediation-iam.cjs, function-roles.cjs),
 * which only need a few of its keys. The full schema check is `npm run validate`, which CI runs before packaging.
 * KLAXON_CONFIG=<path> reads another file (template tests).
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
  return { config, shown };
}

module.exports = { configPath, fail, readKlaxonConfig };
