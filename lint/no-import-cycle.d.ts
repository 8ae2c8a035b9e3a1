import type { Rule } from 'eslint';

/** `klaxon/no-import-cycle`: forbids import cycles, type-only imports included. */
declare const noImportCycle: Rule.RuleModule;
export default noImportCycle;
