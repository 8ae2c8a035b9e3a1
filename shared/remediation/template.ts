/**
 * The parameter template syntax of remediation rules: a value is either a literal, or exactly one
 * `{{ labels.<Name> }}` reference to an alert label. No expressions, filters, concatenation or other
 * roots (annotations, raw event): a parameter can only ever be one whole, validated label value.
 */

/** A parameter value as compiled from klaxon.yml. */
export type ParameterTemplate = { kind: 'literal'; value: string } | { kind: 'label'; label: string };

const LABEL_TEMPLATE = /^\{\{\s*labels\.([A-Za-z_][A-Za-z0-9_.:-]*)\s*\}\}$/;

/** Parses one parameter value; returns the template, or why it is not one Klaxon accepts. */
export function parseTemplate(text: string): ParameterTemplate | { error: string } {
  const match = LABEL_TEMPLATE.exec(text.trim());
  if (match?.[1]) return { kind: 'label', label: match[1] };
  if (text.includes('{{') || text.includes('}}')) {
    return {
      error: `only a whole "{{ labels.<Name> }}" is allowed (no expressions, other roots or surrounding text), got ${JSON.stringify(text)}`,
    };
  }
  return { kind: 'literal', value: text };
}

/** Renders a template over an alert's labels; a missing or empty label renders as undefined. */
export function renderTemplate(
  template: ParameterTemplate,
  labels: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (template.kind === 'literal') return template.value;
  const value = labels[template.label];
  return value === undefined || value === '' ? undefined : value;
}

/** How a template is written back, for logs and replay output. */
export function describeTemplate(template: ParameterTemplate): string {
  return template.kind === 'literal' ? template.value : `{{ labels.${template.label} }}`;
}
