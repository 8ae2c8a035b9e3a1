import data from './actions.json';

/**
 * The remediation action catalog (the Cloud Custodian model): every action Klaxon may start, with
 * the parameters it declares (each validated by an anchored pattern) and the IAM actions it needs.
 * The data lives in `actions.json`, shared with `deploy/remediation-iam.cjs`, which turns the
 * documents klaxon.yml enables into the functions' IAM statements (docs/iam.md). Nothing outside
 * this list can ever be started, whatever klaxon.yml or an event says (the document allowlist).
 */

/** How an action is started: an Automation runbook, or a Command document through Run Command. */
export type ActionKind = 'automation' | 'run-command';

/** One declared parameter of an action. */
export interface ParameterSpec {
  name: string;
  /** Anchored pattern every value must match, whether written in klaxon.yml or taken from a label. */
  pattern: RegExp;
  required: boolean;
  /** False: the value may only be written literally in klaxon.yml, never templated from an alert. */
  fromLabels: boolean;
  /** The document takes a StringList (sent as a one-element list). */
  list: boolean;
}

/** One action of the catalog. */
export interface ActionSpec {
  /** The SSM document name, exactly as started. */
  name: string;
  kind: ActionKind;
  description: string;
  /** Changes availability (stop, contain, arbitrary commands): worth an `approve` mode. */
  destructive: boolean;
  /** The parameter naming the resource acted on (cooldowns are per rule and this value). */
  resourceParameter: string;
  parameters: Readonly<Record<string, ParameterSpec>>;
  /** IAM actions the document performs when it runs with the caller's permissions. */
  iamActions: readonly string[];
}

interface RawParameter {
  pattern: string;
  required: boolean;
  fromLabels: boolean;
  list?: boolean;
}

const NAMED_PATTERNS: Readonly<Record<string, string>> = data.patterns;

function compilePattern(text: string): RegExp {
  const source = NAMED_PATTERNS[text] ?? text;
  if (!source.startsWith('^') || !source.endsWith('$')) {
    throw new Error(`actions.json: pattern ${text} must be anchored (^…$)`);
  }
  return new RegExp(source);
}

/** Every action Klaxon knows, by document name. */
export const ACTIONS: ReadonlyMap<string, ActionSpec> = new Map(
  data.actions.map((raw): [string, ActionSpec] => {
    const parameters = Object.fromEntries(
      Object.entries(raw.parameters as unknown as Record<string, RawParameter>).map(([name, p]) => [
        name,
        {
          name,
          pattern: compilePattern(p.pattern),
          required: p.required,
          fromLabels: p.fromLabels,
          list: p.list ?? false,
        },
      ]),
    );
    if (!(raw.resourceParameter in parameters)) {
      throw new Error(`actions.json: ${raw.name} names an undeclared resource parameter`);
    }
    return [
      raw.name,
      {
        name: raw.name,
        kind: raw.kind as ActionKind,
        description: raw.description,
        destructive: raw.destructive,
        resourceParameter: raw.resourceParameter,
        parameters,
        iamActions: raw.iam.permissions.flatMap((permission) => permission.actions),
      },
    ];
  }),
);

/** The action of that exact document name, if the catalog has it. */
export function actionNamed(name: string): ActionSpec | undefined {
  return ACTIONS.get(name);
}

/** Checks one parameter value against its declared pattern; returns why it fails, or undefined. */
export function parameterProblem(spec: ParameterSpec, value: string): string | undefined {
  if (value.length > 1024) return `value is longer than 1024 characters`;
  if (!spec.pattern.test(value)) {
    return `value ${JSON.stringify(value.slice(0, 80))} does not match ${spec.pattern.source}`;
  }
  return undefined;
}
