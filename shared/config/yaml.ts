import { isMap, parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { type KlaxonConfig, validateConfig } from './load';
import type { BuildTimeChecks } from './schema';

/** Parses YAML text strictly (duplicate keys are errors); throws ConfigError with line and column. */
export function parseConfigYaml(text: string, source = 'klaxon.yml'): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((e) => {
        const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        if (!e.linePos) return { path: '', message };
        const { line, col } = e.linePos[0];
        const shown = (text.split(/\r?\n/)[line - 1] ?? '').slice(0, 200);
        return {
          path: `line ${line}, column ${col}`,
          message: `${message}\n      ${line} | ${shown}\n      ${' '.repeat(String(line).length)} | ${' '.repeat(Math.max(0, Math.min(col - 1, 200)))}^`,
        };
      }),
    );
  }
  if (!isMap(document.contents)) {
    throw new ConfigError(source, [{ path: '', message: 'expected a mapping with receivers and route' }]);
  }
  return document.toJS();
}

/** Parses, validates and compiles klaxon.yml text (CLI and tests); throws ConfigError naming every bad key. */
export function loadConfig(text: string, source = 'klaxon.yml', checks: BuildTimeChecks = {}): KlaxonConfig {
  return validateConfig(parseConfigYaml(text, source), source, checks);
}
