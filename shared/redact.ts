const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1[redacted]'],
  [/https:\/\/hooks\.slack\.com\/[^\s"']+/g, 'https://hooks.slack.com/[redacted]'],
  [/\b[A-Za-z0-9/+]{40}\b/g, '[redacted]'],
  [/("(?:[^"]*(?:password|secret|token|key|signature)[^"]*)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"'],
];

/** A short, single-line excerpt of untrusted input with credentials, tokens and webhook URLs masked. */
export function redactedExcerpt(text: string, max = 300): string {
  let result = text.replace(/\s+/g, ' ').trim();
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result.length > max ? `${result.slice(0, max)}…` : result;
}
