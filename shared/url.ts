const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * encodeURIComponent for text that came from an event: a lone UTF-16 surrogate (valid in JSON,
 * which encodeURIComponent rejects with URIError) becomes U+FFFD instead of costing the alert.
 */
export function urlComponent(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
}
