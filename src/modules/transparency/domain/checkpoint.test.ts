import { describe, expect, it } from 'vitest';
import { NoteError } from '../../../lib/signed-note.ts';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.ts';

describe('C2SP checkpoints', () => {
  const root = Buffer.alloc(32, 7);

  it('formats the three lines and extensions, and parses them back', () => {
    const text = formatCheckpoint({ origin: 'yeyak.example/log/c1', size: 12345, root, extensions: ['x'] });
    expect(text).toBe(`yeyak.example/log/c1\n12345\n${root.toString('base64')}\nx\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'yeyak.example/log/c1', size: 12345, root, extensions: ['x'] });
    // The C2SP specification's example.
    const example = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect([example.origin, example.size, example.root.length]).toEqual(['example.com/behind-the-sofa', 20852163, 32]);
  });

  it('refuses a malformed checkpoint', () => {
    const b64 = root.toString('base64');
    for (const text of ['o\n012\n' + b64 + '\n', 'o\n1\n' + b64, '\n1\n' + b64 + '\n', 'o\n-1\n' + b64 + '\n', 'o\n1\nAAAA\n', `o\n1\n${b64}\n\n`, 'o\n1e3\n' + b64 + '\n']) {
      expect(() => parseCheckpoint(text), JSON.stringify(text)).toThrow(NoteError);
    }
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, root, extensions: [] })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, root: Buffer.alloc(31), extensions: [] })).toThrow(NoteError);
  });
});
