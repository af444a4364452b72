import { describe, expect, it } from 'vitest';
import { CUSTOM_PLAN_MARK, StatementNames } from './statement-names.ts';

describe('StatementNames', () => {
  it('names a text only from its second sighting, and always the same name', () => {
    const names = new StatementNames({ after: 2, maxTexts: 10, maxTextLength: 100 });
    expect(names.nameFor('select 1 where $1')).toBeUndefined();
    const name = names.nameFor('select 1 where $1');
    expect(name).toMatch(/^y_[A-Za-z0-9_-]{22}$/);
    expect(names.nameFor('select 1 where $1')).toBe(name);
    // Another process (another StatementNames) names the same text alike; another text differently.
    const other = new StatementNames({ after: 1, maxTexts: 10, maxTextLength: 100 });
    expect(other.nameFor('select 1 where $1')).toBe(name);
    expect(other.nameFor('select 2 where $1')).not.toBe(name);
  });

  it('names a marked statement at once by its mark', () => {
    const names = new StatementNames({ after: 5, maxTexts: 10, maxTextLength: 100 });
    expect(names.nameFor('/* prepared: create_booking */ SELECT 1')).toBe('create_booking');
  });

  it('never prepares a statement marked for custom plans', () => {
    const names = new StatementNames({ after: 1, maxTexts: 10, maxTextLength: 100 });
    expect(names.nameFor(`${CUSTOM_PLAN_MARK} SELECT 1`)).toBeUndefined();
    expect(names.nameFor(`${CUSTOM_PLAN_MARK} SELECT 1`)).toBeUndefined();
  });

  it('never prepares long texts, and stops counting new texts when full', () => {
    const names = new StatementNames({ after: 1, maxTexts: 2, maxTextLength: 20 });
    expect(names.nameFor(`insert ${'x'.repeat(20)}`)).toBeUndefined();
    expect(names.nameFor('a')).toBeDefined();
    expect(names.nameFor('b')).toBeDefined();
    expect(names.nameFor('c')).toBeUndefined();
    expect(names.nameFor('a')).toBeDefined();
  });

  it('keeps counting a text it has seen even when full', () => {
    const names = new StatementNames({ after: 2, maxTexts: 1, maxTextLength: 100 });
    expect(names.nameFor('a')).toBeUndefined();
    expect(names.nameFor('b')).toBeUndefined();
    expect(names.nameFor('b')).toBeUndefined();
    expect(names.nameFor('a')).toBeDefined();
  });
});
