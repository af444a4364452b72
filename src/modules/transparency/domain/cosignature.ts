import { COSIGNATURE_V1, parseNote, signatureLine, signerOf, verifierOf, type NoteSigner } from '../../../lib/signed-note.ts';

/**
 * A witness's cosignature of a checkpoint (C2SP tlog-cosignature, https://c2sp.org/tlog-cosignature):
 * a signed-note signature line by a key of type 0x04, whose signature is the time of cosigning (8
 * bytes, big-endian seconds since the Unix epoch) followed by Ed25519 over
 * `cosignature/v1\ntime <seconds>\n` and the checkpoint's text. A witness cosigns a checkpoint
 * only once it has checked that the log's tree of it extends the last one it cosigned.
 */
const TIME_BYTES = 8;

/** The message a cosignature signs. */
function cosignedMessage(checkpointText: string, timeSeconds: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timeSeconds}\n${checkpointText}`, 'utf8');
}

export interface Witness extends NoteSigner {
  verifierKey: string;
  /** The cosignature line of a checkpoint's text at `timeSeconds`. */
  cosign(checkpointText: string, timeSeconds: number): string;
}

/** The witness of a cosignature signer key (type 0x04); throws NoteError otherwise. */
export function witnessOf(signerKey: string): Witness {
  const signer = signerOf(signerKey, [COSIGNATURE_V1]);
  return {
    ...signer,
    cosign(checkpointText, timeSeconds) {
      const time = Buffer.alloc(TIME_BYTES);
      time.writeBigUInt64BE(BigInt(timeSeconds));
      return signatureLine(signer.name, signer.keyId, Buffer.concat([time, signer.sign(cosignedMessage(checkpointText, timeSeconds))]));
    },
  };
}

/**
 * The time a witness (by its verifier key) cosigned a signed note's text, or null when the note
 * carries no valid cosignature of that witness.
 */
export function cosignedAt(note: string, witnessVerifierKey: string): number | null {
  const verifier = verifierOf(witnessVerifierKey, [COSIGNATURE_V1]);
  const { text, signatures } = parseNote(note);
  for (const s of signatures) {
    if (s.name !== verifier.name || s.keyId !== verifier.keyId || s.signature.length !== TIME_BYTES + 64) continue;
    const time = Number(s.signature.readBigUInt64BE(0));
    if (verifier.verify(cosignedMessage(text, time), s.signature.subarray(TIME_BYTES))) return time;
  }
  return null;
}
