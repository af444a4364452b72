import { createHash } from 'node:crypto';

/** `/* prepared: <name> *\/` opening a statement's text: always run it as that named prepared statement. */
const PREPARED_MARK = /^\/\* prepared: ([a-z][a-z0-9_]*) \*\//;
/**
 * `/* plan: custom *\/` opening a statement's text: never prepare it. For a statement whose best
 * plan depends on its values (a clinic search once most clinic-days have no dose left), the generic
 * plan PostgreSQL settles on for a prepared statement can cost several times the planning it saves.
 */
export const CUSTOM_PLAN_MARK = '/* plan: custom */';

export interface StatementNameOptions {
  /** Sightings of a text before it is prepared: a statement run once (a migration) never is. */
  after: number;
  /** Distinct texts counted at most: texts built from data (bulk inserts) must not grow it forever. */
  maxTexts: number;
  /** Longer texts (bulk inserts of thousands of rows) are never prepared. */
  maxTextLength: number;
}

const STATEMENT_NAMES: StatementNameOptions = { after: 2, maxTexts: 2_000, maxTextLength: 4_096 };

/**
 * Which statement texts run as named prepared statements. PostgreSQL then parses and plans each
 * once per connection instead of on every call: for the short indexed statements of a request,
 * planning costs PostgreSQL more than executing (a clinic search: 0.34 ms to plan, 0.19 ms to run).
 * A text seen `after` times gets a name derived from its hash, so the same text always has the same
 * name on every connection (pg remembers per connection which names it has prepared, and refuses a
 * name reused for another text). A `/* prepared: <name> *\/` mark names a statement at once; a
 * `/* plan: custom *\/` mark keeps it planned on every call.
 */
export class StatementNames {
  /** Text → sightings so far, or its name once prepared. */
  private readonly texts = new Map<string, number | string>();

  constructor(private readonly options: StatementNameOptions = STATEMENT_NAMES) {}

  nameFor(text: string): string | undefined {
    // A marked text first: looking a long text up in the map hashes all of it, on every call.
    if (text.startsWith('/* prepared: ')) {
      const marked = PREPARED_MARK.exec(text)?.[1];
      if (marked !== undefined) return marked;
    }
    const known = this.texts.get(text);
    if (typeof known === 'string') return known;
    if (text.length > this.options.maxTextLength || text.startsWith(CUSTOM_PLAN_MARK)) return undefined;
    const sightings = (known ?? 0) + 1;
    if (sightings < this.options.after) {
      if (known !== undefined || this.texts.size < this.options.maxTexts) this.texts.set(text, sightings);
      return undefined;
    }
    if (known === undefined && this.texts.size >= this.options.maxTexts) return undefined;
    const name = `y_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    this.texts.set(text, name);
    return name;
  }
}
