import { describe, expect, it } from 'vitest';
import { NoteError, generateSignerKey, openNote, signNote, signerOf, verifierOf } from './signed-note.ts';

// The example of golang.org/x/mod/sumdb/note (its package documentation and note_test.go): a key
// pair and the exact signed note it makes. Ed25519 is deterministic, so our note must match it
// byte for byte.
const PETER_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
// The example of the C2SP signed-note specification.
const EXAMPLE_VERIFIER = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const EXAMPLE_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

describe('C2SP signed notes', () => {
  it("makes Go's example note byte for byte from its signer key, and derives its verifier key", () => {
    const signer = signerOf(PETER_SIGNER);
    expect(signer.verifierKey).toBe(PETER_VERIFIER);
    expect(signNote(PETER_TEXT, [signer])).toBe(PETER_NOTE);
  });

  it("opens Go's note and the specification's example with their verifier keys", () => {
    expect(openNote(PETER_NOTE, [verifierOf(PETER_VERIFIER)])).toEqual({ text: PETER_TEXT, verifiedBy: ['PeterNeumann'] });
    expect(openNote(EXAMPLE_NOTE, [verifierOf(EXAMPLE_VERIFIER), verifierOf(PETER_VERIFIER)])).toEqual({ text: 'This is an example message.\n', verifiedBy: ['example.com/foo'] });
  });

  it('refuses an altered text, a signature by a known key that does not verify, and a note no known key signed', () => {
    const peter = [verifierOf(PETER_VERIFIER)];
    expect(() => openNote(PETER_NOTE.replace('cryptography', 'cryptographY'), peter)).toThrow(NoteError);
    const forged = PETER_NOTE.replace('x08go/ZJ', 'x08go/ZK');
    expect(() => openNote(forged, peter)).toThrow(/invalid signature/);
    expect(() => openNote(EXAMPLE_NOTE, peter)).toThrow(/no signature by a known key/);
    // Another key of the same name (another key ID) is unknown, so its line is ignored.
    const impostor = signerOf(generateSignerKey('PeterNeumann'));
    expect(() => openNote(signNote(PETER_TEXT, [impostor]), peter)).toThrow(/no signature by a known key/);
    // A signature by an unknown key beside a good one is ignored.
    const both = signNote(PETER_TEXT, [signerOf(PETER_SIGNER), impostor]);
    expect(openNote(both, peter).verifiedBy).toEqual(['PeterNeumann']);
  });

  it('refuses malformed notes and keys', () => {
    const peter = [verifierOf(PETER_VERIFIER)];
    for (const note of [PETER_TEXT, PETER_NOTE.slice(0, -1), PETER_NOTE.replace('— ', '-- '), `${PETER_TEXT}\n`, PETER_NOTE.replace('\n\n', '\n\u0000\n\n')]) {
      expect(() => openNote(note, peter), JSON.stringify(note)).toThrow(NoteError);
    }
    const mangled = [PETER_VERIFIER.replace('c74f20a3', 'c74f20a4'), PETER_VERIFIER.slice(0, -1), PETER_VERIFIER.replace('PeterNeumann', 'Peter Neumann'), `x${PETER_VERIFIER}`, PETER_VERIFIER.replace('+ARpc', '+AhRpc')];
    for (const key of mangled) expect(() => verifierOf(key), key).toThrow(NoteError);
    expect(() => signerOf(PETER_SIGNER.replace('c74f20a3', '00000000'))).toThrow(NoteError);
    expect(() => signerOf(PETER_VERIFIER)).toThrow(NoteError);
    expect(() => signNote('no final newline', [signerOf(PETER_SIGNER)])).toThrow(NoteError);
  });

  it('signs with a generated key, and the note opens with the verifier key derived from it', () => {
    const signer = signerOf(generateSignerKey('yeyak.example/log'));
    const note = signNote('hello\n', [signer]);
    expect(openNote(note, [verifierOf(signer.verifierKey)]).text).toBe('hello\n');
  });
});
