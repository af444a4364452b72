// A citizen's receipt from the queue's public log, checked in their own browser (docs/transparency.md
// "Receipts"): written apart from the server's code, from the public formats alone — C2SP signed
// notes and checkpoints, RFC 6962 hashes — so the check does not rest on the code it checks.
// SHA-256 is the browser's (WebCrypto); Ed25519 is @noble/ed25519, which older Safaris need.
import { verifyAsync } from '@noble/ed25519';

/** The answer of `GET …/queue/tickets/me/proof`. */
export interface Receipt {
  leafIndex: number;
  entry: string;
  proof: string[];
  checkpoint: string;
  opening: string;
  draw: { leafIndex: number; entry: string; proof: string[] } | null;
}

/** What the check found: each step's verdict, and what the entry says. */
export interface ReceiptCheck {
  /** The log's signature on the checkpoint, by the key published at `/api/v1/log/key`. */
  signed: boolean;
  /** The opening opens the entry's commitment: the entry is this person's. */
  yours: boolean;
  /** The inclusion proof leads from the entry to the checkpoint's root. */
  included: boolean;
  /** For a pre-queue entry: the round's draw is in the same tree (null when there is none yet). */
  drawIncluded: boolean | null;
  keyName: string;
  origin: string;
  size: number;
  leafIndex: number;
  /** The entry line as logged. */
  entry: string;
  kind: string;
  /** The place's position (a `place` or `restore` entry) or the round (an `enter` entry). */
  position: number | null;
  round: number | null;
  atMs: number | null;
  /** Names on other signature lines (witnesses): shown, not checked here (their keys are not known to the page). */
  otherSigners: string[];
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
const ED25519_TYPE = 0x01;
const COMMITMENT_LABEL = 'yeyak-queue/v1 commitment\n';
const utf8 = new TextEncoder();

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function joined(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined(...parts) as Uint8Array<ArrayBuffer>));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A verifier key `<name>+<key ID, 8 hex>+<base64 of 0x01 ‖ 32-byte Ed25519 key>`, its ID checked. */
export async function parseVerifierKey(text: string): Promise<{ name: string; keyId: Uint8Array; publicKey: Uint8Array }> {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!match) throw new Error('malformed verifier key');
  const [, name, hex, data] = match as unknown as [string, string, string, string];
  const bytes = fromBase64(data);
  if (bytes.length !== 33 || bytes[0] !== ED25519_TYPE) throw new Error('not an Ed25519 verifier key');
  const keyId = (await sha256(utf8.encode(`${name}\n`), bytes)).slice(0, 4);
  if ([...keyId].map((b) => b.toString(16).padStart(2, '0')).join('') !== hex) throw new Error('the verifier key’s ID does not match it');
  return { name, keyId, publicKey: bytes.slice(1) };
}

/** A signed note's text and its signature lines (`— <name> <base64 of key ID ‖ signature>`). */
function splitNote(note: string): { text: string; signatures: { name: string; bytes: Uint8Array }[] } {
  const end = note.indexOf('\n\n');
  if (end < 0 || !note.endsWith('\n')) throw new Error('malformed signed note');
  const signatures = note
    .slice(end + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (!match) throw new Error('malformed signature line');
      return { name: match[1] as string, bytes: fromBase64(match[2] as string) };
    });
  return { text: note.slice(0, end + 1), signatures };
}

/** The root an RFC 9162 §2.1.3.2 inclusion proof leads to from a leaf hash; null if it cannot be a proof. */
async function rootOfPath(index: number, size: number, leaf: Uint8Array, path: Uint8Array[]): Promise<Uint8Array | null> {
  if (index < 0 || index >= size || path.some((h) => h.length !== 32)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(NODE_PREFIX), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(Uint8Array.of(NODE_PREFIX), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

async function inTree(leafIndex: number, entry: Uint8Array, proof: string[], size: number, root: Uint8Array): Promise<boolean> {
  const computed = await rootOfPath(leafIndex, size, await sha256(Uint8Array.of(LEAF_PREFIX), entry), proof.map(fromBase64));
  return computed !== null && equalBytes(computed, root);
}

/** Checks a receipt against the log's verifier key; never throws on a bad receipt (it says what failed), only on a malformed key. */
export async function checkReceipt(verifierKey: string, receipt: Receipt): Promise<ReceiptCheck> {
  const key = await parseVerifierKey(verifierKey);
  const { text, signatures } = splitNote(receipt.checkpoint);
  const own = signatures.find((s) => s.name === key.name && equalBytes(s.bytes.slice(0, 4), key.keyId));
  const signed = own !== undefined && own.bytes.length === 68 && (await verifyAsync(own.bytes.slice(4), utf8.encode(text), key.publicKey));
  const [origin = '', sizeLine = '', rootLine = ''] = text.split('\n');
  const size = /^(0|[1-9][0-9]*)$/.test(sizeLine) ? Number(sizeLine) : -1;
  const root = fromBase64(rootLine);
  const entryBytes = fromBase64(receipt.entry);
  const line = new TextDecoder().decode(entryBytes);
  const [kind = '', first = '', atMs = '', ...rest] = line.trimEnd().split(' ');
  const commitment = kind === 'place' || kind === 'restore' || kind === 'enter' ? rest.at(-1) : undefined;
  const yours = commitment !== undefined && equalBytes(await sha256(utf8.encode(COMMITMENT_LABEL), fromBase64(receipt.opening)), fromBase64(commitment));
  const drawIncluded = receipt.draw === null ? null : await inTree(receipt.draw.leafIndex, fromBase64(receipt.draw.entry), receipt.draw.proof, size, root);
  return {
    signed,
    yours,
    included: size >= 0 && (await inTree(receipt.leafIndex, entryBytes, receipt.proof, size, root)),
    drawIncluded,
    keyName: key.name,
    origin,
    size,
    leafIndex: receipt.leafIndex,
    entry: line.trimEnd(),
    kind,
    position: kind === 'place' || kind === 'restore' ? Number(first) : null,
    round: kind === 'enter' ? Number(first) : null,
    atMs: /^[0-9]+$/.test(atMs) ? Number(atMs) : null,
    otherSigners: [...new Set(signatures.filter((s) => s !== own).map((s) => s.name))],
  };
}

/** The position a drawn round gives a pre-queue entry is the draw's base plus its rank: the draw entry says the base and count. */
export function drawOf(receipt: Receipt): { round: number; base: number; count: number } | null {
  if (receipt.draw === null) return null;
  const [kind, round, , base, count] = new TextDecoder().decode(fromBase64(receipt.draw.entry)).trimEnd().split(' ');
  return kind === 'draw' ? { round: Number(round), base: Number(base), count: Number(count) } : null;
}
