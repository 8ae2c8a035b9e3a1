import { describe, expect, it } from 'vitest';
import { urlComponent } from '../../shared/url';

describe('urlComponent', () => {
  it('encodes like encodeURIComponent', () => {
    expect(urlComponent('a b/c?d=é😀')).toBe(encodeURIComponent('a b/c?d=é😀'));
  });

  it('replaces a lone surrogate, which encodeURIComponent rejects, instead of throwing', () => {
    expect(() => encodeURIComponent('id-\uD800')).toThrow(URIError);
    expect(urlComponent('id-\uD800')).toBe(encodeURIComponent('id-\uFFFD'));
    expect(urlComponent('\uDC00tail')).toBe(encodeURIComponent('\uFFFDtail'));
  });
});
