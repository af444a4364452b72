import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed-note (https://c2sp.org/signed-note), the format of Go's checksum database and of
 * Certificate Transparency's static logs: a UTF-8 text ending in a newline, a blank line, then one
 * line per signature, `— <key name> <base64 of key ID ‖ signature>`. Keys are Ed25519 (type 0x01);
 * a key's ID is the first four bytes of SHA-256(name ‖ "\n" ‖ type ‖ public key). A verifier key is
 * written `<name>+<key ID in hex>+<base64 of type ‖ public key>`; a signer key the same with
 * `PRIVATE+KEY+` before it and the private seed in place of the public key.
 */

const ED25519 = 0x01;
/** A witness's cosignature key (C2SP tlog-cosignature): Ed25519 over a timestamped message. */
export const COSIGNATURE_V1 = 0x04;
const SIGNATURE_PREFIX = '— ';
/** The DER of an Ed25519 PKCS #8 private key up to its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface NoteVerifier {
  name: string;
  keyId: number;
  /** The key's type byte: 0x01 for a note signature, 0x04 for a witness's cosignature. */
  type: number;
  verify(message: Buffer, signature: Buffer): boolean;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  sign(message: Buffer): Buffer;
}

export class NoteError extends Error {}

/** A key name: not empty, no `+`, no whitespace. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !name.includes('+') && !/[\s\p{Cc}]/u.test(name);
}

/** The key ID of a key: the first four bytes, big-endian, of SHA-256(name ‖ "\n" ‖ type ‖ public key). */
function keyIdOf(name: string, type: number, publicKey: Uint8Array): number {
  return createHash('sha256').update(`${name}\n`).update(Buffer.from([type])).update(publicKey).digest().readUInt32BE(0);
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
}

function privateKeyOfSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** `name+hash+base64` → its three parts; the base64 may itself hold a `+`. */
function splitKey(text: string): { name: string; hash: string; data: Buffer } {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw new NoteError('malformed key');
  const [name, hash, encoded] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  const data = Buffer.from(encoded, 'base64');
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(hash) || data.toString('base64') !== encoded) throw new NoteError('malformed key');
  return { name, hash, data };
}

/** A new Ed25519 signer key for `name`, in the signer key format (`type` 0x04 for a witness's cosignature key). */
export function generateSignerKey(name: string, type = ED25519): string {
  if (!isKeyName(name)) throw new NoteError('invalid key name');
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const keyId = keyIdOf(name, type, rawPublicKey(privateKey));
  return `PRIVATE+KEY+${name}+${hex8(keyId)}+${Buffer.concat([Buffer.from([type]), seed]).toString('base64')}`;
}

/**
 * The signer of a signer key (`PRIVATE+KEY+name+hash+base64`) of a type it accepts (Ed25519 by
 * default); throws NoteError if it is malformed or its hash does not match.
 */
export function signerOf(signerKey: string, types: readonly number[] = [ED25519]): NoteSigner & { verifierKey: string; type: number } {
  if (!signerKey.startsWith('PRIVATE+KEY+')) throw new NoteError('not a signer key');
  const { name, hash, data } = splitKey(signerKey.slice('PRIVATE+KEY+'.length));
  const type = data[0];
  if (data.length !== 33 || type === undefined || !types.includes(type)) throw new NoteError('unsupported signer key');
  const privateKey = privateKeyOfSeed(data.subarray(1));
  const publicKey = rawPublicKey(privateKey);
  const keyId = keyIdOf(name, type, publicKey);
  if (hex8(keyId) !== hash) throw new NoteError('signer key hash does not match');
  return {
    name,
    keyId,
    type,
    verifierKey: `${name}+${hash}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`,
    sign: (message) => sign(null, message, privateKey),
  };
}

/** The verifier of a verifier key (`name+hash+base64`) of a type it knows (`types`, Ed25519 by default). */
export function verifierOf(verifierKey: string, types: readonly number[] = [ED25519]): NoteVerifier {
  const { name, hash, data } = splitKey(verifierKey);
  const type = data[0];
  if (data.length !== 33 || type === undefined || !types.includes(type)) throw new NoteError('unsupported verifier key');
  const raw = data.subarray(1);
  const keyId = keyIdOf(name, type, raw);
  if (hex8(keyId) !== hash) throw new NoteError('verifier key hash does not match');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return { name, keyId, type, verify: (message, signature) => signature.length === 64 && verify(null, message, publicKey, signature) };
}

/** Whether a note text is well formed: UTF-8 without control characters but newlines, ending in a newline. */
export function isNoteText(text: string): boolean {
  return text.endsWith('\n') && !/[\p{Cc}]/u.test(text.replaceAll('\n', '')) && text.isWellFormed();
}

/** Signs `text` with each signer: the signed note, one signature line per signer. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!isNoteText(text)) throw new NoteError('malformed note text');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => signatureLine(s.name, s.keyId, s.sign(message)));
  return `${text}\n${lines.join('')}`;
}

/** One signature line: `— name base64(key ID ‖ signature)\n`. */
export function signatureLine(name: string, keyId: number, signature: Buffer): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId);
  return `${SIGNATURE_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** What follows the key ID in the signature's base64. */
  signature: Buffer;
  /** The whole line, newline included. */
  line: string;
}

/** Splits a signed note into its text and its signature lines; throws NoteError if it is malformed. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note');
  const text = note.slice(0, split + 1);
  if (!isNoteText(text)) throw new NoteError('malformed note text');
  const signatures = note
    .slice(split + 2)
    .split(/(?<=\n)/)
    .map((line): NoteSignature => {
      const match = /^— (\S+) ([A-Za-z0-9+/=]+)\n$/u.exec(line);
      const data = match ? Buffer.from(match[2]!, 'base64') : Buffer.alloc(0);
      if (!match || !isKeyName(match[1]!) || data.length < 5 || data.toString('base64') !== match[2]) throw new NoteError('malformed signature line');
      return { name: match[1]!, keyId: data.readUInt32BE(0), signature: data.subarray(4), line };
    });
  if (signatures.length === 0) throw new NoteError('a note without signatures');
  return { text, signatures };
}

/**
 * Opens a signed note with the verifiers one trusts: signatures by unknown keys are ignored, a
 * known key's signature that does not verify rejects the note, and at least one must verify.
 * Returns the text and the names whose signatures verified.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): { text: string; verifiedBy: string[] } {
  const { text, signatures } = parseNote(note);
  const message = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  for (const s of signatures) {
    const verifier = verifiers.find((v) => v.name === s.name && v.keyId === s.keyId && v.type === ED25519);
    if (!verifier) continue;
    if (!verifier.verify(message, s.signature)) throw new NoteError(`invalid signature by ${s.name}`);
    if (verifiedBy.includes(s.name)) throw new NoteError(`two signatures by ${s.name}`);
    verifiedBy.push(s.name);
  }
  if (verifiedBy.length === 0) throw new NoteError('no signature by a known key');
  return { text, verifiedBy };
}
