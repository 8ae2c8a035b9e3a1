/** Child alarm names referenced by a composite alarm rule (names or ARNs, quoted or not). */
export function childAlarmNames(rule: string): string[] {
  const names = new Set<string>();
  for (const match of rule.matchAll(
    /\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]+)"|([^()\s"]+))\s*\)/g,
  )) {
    const reference = match[1] ?? match[2] ?? '';
    names.add(alarmNameOf(reference));
  }
  names.delete('');
  return [...names];
}

/** The alarm name of a reference that may be an alarm ARN. */
export function alarmNameOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  const at = reference.indexOf(':alarm:');
  return at >= 0 ? reference.slice(at + ':alarm:'.length) : reference;
}
