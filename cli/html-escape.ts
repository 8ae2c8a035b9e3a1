/** The default length past which a text shown in the HTML report is cut. */
export const MAX_TEXT = 4_000;

/**
 * Bidirectional controls (embeddings, overrides, isolates): in an alarm description they can make
 * text read in an order other than the one it has (`evil\u202Egpj.exe`). The report shows them as
 * visible markers rather than obeying them.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML (element content and quoted attributes), cut to a readable length: the one
 * place the report turns untrusted text into markup.
 */
export function escapeHtml(value: unknown, max = MAX_TEXT): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return cut
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
    .replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** An escaped `href` value for http(s) URLs only; anything else (javascript:, data:) is not a link. */
export function safeHref(url: unknown): string | undefined {
  return typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url) ? escapeHtml(url, 2_000) : undefined;
}

/** A link when the URL is http(s), else the escaped label as plain text. */
export function linkOrText(url: unknown, label: unknown, attributes = ''): string {
  const href = safeHref(url);
  const text = escapeHtml(label);
  return href ? `<a${attributes} href="${href}">${text}</a>` : text;
}
