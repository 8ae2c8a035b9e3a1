import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { StateStoreError } from '../errors';
import { parseStored } from './store';
import { STORED_DOC_DICTIONARY_V1 } from './stored-doc-dictionary';

/**
 * Documents shorter than this stay JSON text: DynamoDB bills a write per started KB, so compressing
 * a small one saves nothing and makes the item unreadable in the console.
 */
export const COMPRESS_FROM_BYTES = 512;

/** The first byte of a compressed document names the dictionary it was compressed with. */
const DICTIONARIES: ReadonlyMap<number, Buffer> = new Map([
  [1, Buffer.from(STORED_DOC_DICTIONARY_V1, 'utf8')],
]);
const CURRENT_VERSION = 1;

/**
 * A stored document never inflates past this: an item is at most 400 KB, and no document Klaxon
 * writes compresses 10 to 1 beyond it, so more is a damaged or hostile row, not a document.
 */
const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/**
 * The attribute a JSON document is stored in: JSON text when short, else deflate with the preset
 * dictionary behind a version byte (binary), whichever is smaller.
 */
export function encodeStoredDoc(value: unknown): AttributeValue {
  const text = JSON.stringify(value) as string;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes < COMPRESS_FROM_BYTES) return { S: text };
  const dictionary = DICTIONARIES.get(CURRENT_VERSION) as Buffer;
  const deflated = deflateRawSync(text, { dictionary });
  if (deflated.length + 1 >= bytes) return { S: text };
  const stored = new Uint8Array(deflated.length + 1);
  stored[0] = CURRENT_VERSION;
  stored.set(deflated, 1);
  return { B: stored };
}

/**
 * The JSON document in a stored attribute (text or compressed), or undefined when the attribute is
 * absent or is not a readable document (a row written by hand, damaged, or of an unknown version).
 */
export function decodeStoredDoc(attribute: AttributeValue | undefined): { value: unknown } | undefined {
  if (attribute?.S !== undefined) return parseStored(attribute.S);
  if (attribute?.B === undefined) return undefined;
  const text = inflateStored(attribute.B);
  return text === undefined ? undefined : parseStored(text);
}

/**
 * The JSON document of a record, or undefined when there is none; a document that cannot be read is
 * a named error, as a record Klaxon acts on must not be taken for absent.
 */
export function readStoredDoc(attribute: AttributeValue | undefined, what: string): unknown {
  if (attribute === undefined) return undefined;
  const decoded = decodeStoredDoc(attribute);
  if (!decoded) throw new StateStoreError(`state table ${what} is not a readable document`);
  return decoded.value;
}

function inflateStored(stored: Uint8Array): string | undefined {
  const dictionary = DICTIONARIES.get(stored[0] ?? -1);
  if (!dictionary) return undefined;
  try {
    return inflateRawSync(stored.subarray(1), { dictionary, maxOutputLength: MAX_INFLATED_BYTES }).toString(
      'utf8',
    );
  } catch (error) {
    // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR) and the output limit (ERR_BUFFER_TOO_LARGE).
    if (isInflateError(error)) return undefined;
    throw error;
  }
}

function isInflateError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code === 'ERR_BUFFER_TOO_LARGE');
}
