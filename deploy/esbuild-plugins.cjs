'use strict';
/**
 * esbuild plugins for the Lambda bundles (serverless-esbuild `plugins:` option).
 *
 * klaxon.yml is parsed here, at build time, and bundled as plain data: the functions validate it
 * with zod at cold start but never ship or run a YAML parser. A YAML syntax error fails the build
 * with its line and column (the full schema check is `npm run validate`, run before packaging).
 */
const fs = require('node:fs');
const YAML = require('yaml');

const klaxonConfigAsData = {
  name: 'klaxon-config-as-data',
  setup(build) {
    build.onLoad({ filter: /\.ya?ml$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      const document = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
      if (document.errors.length > 0) {
        const error = document.errors[0];
        const at = error.linePos ? error.linePos[0] : { line: 0, col: 0 };
        return {
          errors: [
            {
              text: error.message.split('\n')[0],
              location: { file: args.path, line: at.line, column: at.col },
            },
          ],
        };
      }
      return { contents: `module.exports = ${JSON.stringify(document.toJS())};`, loader: 'js' };
    });
  },
};

/**
 * A pipeline function whose sources no remediation rule of klaxon.yml can match bundles
 * shared/deployed/no-remediation.ts instead of shared/deployed/remediation.ts, and so none of the
 * remediation code (the same rule-to-source check decides which roles may start documents:
 * deploy/function-roles.cjs). serverless-esbuild builds each function on its own (`individually`),
 * so the entry point names the function. The handlers bundle the repository's klaxon.yml, so that
 * is the file read here, whatever KLAXON_CONFIG says.
 */
const remediationWhereRulesCanMatch = {
  name: 'klaxon-remediation-where-rules-can-match',
  setup(build) {
    const path = require('node:path');
    const entries = build.initialOptions.entryPoints;
    const [entry] = Array.isArray(entries) ? entries : Object.values(entries ?? {});
    const { functionOfEntry, bundlesRemediation } = require('./function-roles.cjs');
    const fn = functionOfEntry(typeof entry === 'string' ? entry : entry && entry.in);
    if (!fn) return;
    const { readKlaxonConfig } = require('./klaxon-config.cjs');
    const { config } = readKlaxonConfig(path.resolve(__dirname, '..', 'klaxon.yml'));
    if (bundlesRemediation(fn, config.remediations)) return;
    const stub = path.resolve(__dirname, '..', 'shared', 'deployed', 'no-remediation.ts');
    build.onResolve({ filter: /^\.\/remediation$/ }, (args) =>
      /[\\/]shared[\\/]deployed[\\/]delivery\.ts$/.test(args.importer) ? { path: stub } : undefined,
    );
  },
};

/**
 * The bundles are CommonJS, but package.json says "type": "module": a package.json saying
 * "commonjs" beside the build output lets Node load them outside Lambda (`serverless invoke local`).
 */
const commonJsBuildFolder = {
  name: 'klaxon-commonjs-build-folder',
  setup(build) {
    build.onEnd(() => {
      const outdir = build.initialOptions.outdir;
      if (!outdir) return;
      const fs = require('node:fs');
      const path = require('node:path');
      fs.mkdirSync(outdir, { recursive: true });
      fs.writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
    });
  },
};

module.exports = [klaxonConfigAsData, remediationWhereRulesCanMatch, commonJsBuildFolder];
