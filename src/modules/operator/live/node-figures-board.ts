import type { Redis } from 'ioredis';
import type { NodeFigures } from './node-figures.ts';

/** Where the nodes leave their figures for each other (`node-figures.ts`). */
export interface NodeFiguresBoard {
  publish(figures: NodeFigures): Promise<void>;
  /** Every node's figures published in the last few seconds. */
  readAll(): Promise<NodeFigures[]>;
}

/** One process (the embedded default, or a node without Redis): the cluster is this node. */
export class LocalNodeFiguresBoard implements NodeFiguresBoard {
  private latest: NodeFigures | null = null;

  async publish(figures: NodeFigures): Promise<void> {
    this.latest = figures;
  }

  async readAll(): Promise<NodeFigures[]> {
    return this.latest ? [this.latest] : [];
  }
}

/** How long a node's figures stand without a newer publication: a node gone drops out after this. */
const FIGURES_TTL_MS = 5000;

/**
 * The nodes' figures in Redis: one key per node, expiring after 5 s, and a set naming the nodes
 * (members whose key has expired are removed as they are found).
 */
export class RedisNodeFiguresBoard implements NodeFiguresBoard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'yeyak:live:',
    private readonly ttlMs = FIGURES_TTL_MS,
  ) {}

  private key(node: string): string {
    return `${this.prefix}node:${node}`;
  }

  async publish(figures: NodeFigures): Promise<void> {
    await this.redis.multi().set(this.key(figures.node), JSON.stringify(figures), 'PX', this.ttlMs).sadd(`${this.prefix}nodes`, figures.node).exec();
  }

  async readAll(): Promise<NodeFigures[]> {
    const nodes = await this.redis.smembers(`${this.prefix}nodes`);
    if (nodes.length === 0) return [];
    const values = await this.redis.mget(nodes.map((n) => this.key(n)));
    const gone = nodes.filter((_n, i) => values[i] === null);
    if (gone.length > 0) await this.redis.srem(`${this.prefix}nodes`, ...gone);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeFigures);
  }
}
