import type { Redis } from 'ioredis';
import type { ProxyStore } from './store.ts';

// A fixed window: the first hit starts it, atomically.
const HIT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`;

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Key prefix, so several shops can share one Redis. @default 'khqr:' */
  prefix?: string;
}

/**
 * A store in Redis (an `ioredis` client), so several proxy instances share single-flight locks
 * and rate limits. Checkouts and settlements live in the ledger (Postgres), never only here.
 * @example
 * import { Redis } from 'ioredis';
 * const store = new RedisStore(new Redis(process.env.REDIS_URL!));
 */
export class RedisStore implements ProxyStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'khqr:';
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.redis.set(
        this.key('cl', key),
        '1',
        'PX',
        Math.max(1, Math.round(ttlMs)),
        'NX',
      )) === 'OK'
    );
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.key('cl', key));
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const [count, ttl] = (await this.redis.eval(
      HIT,
      1,
      this.key('rl', key),
      Math.max(1, Math.round(windowMs)),
    )) as [number, number];
    return { count, resetMs: ttl > 0 ? ttl : windowMs };
  }

  /**
   * An evicting Redis (`maxmemory-policy` other than `noeviction`) may drop a lock mid-check, so
   * two instances ask Bakong at once: `/health` says so. (Checkouts and settlements are never in
   * Redis, so eviction cannot lose a payment.)
   */
  async problem(): Promise<string | null> {
    let policy: string | undefined;
    try {
      const answer = (await this.redis.call('config', 'get', 'maxmemory-policy')) as string[];
      policy = answer[1];
    } catch {
      return null; // CONFIG is disabled on some managed Redis services: nothing to tell.
    }
    return policy && policy !== 'noeviction'
      ? `Redis evicts keys (maxmemory-policy ${policy}): set it to noeviction so locks and rate limits hold.`
      : null;
  }

  /** Closes the Redis connection (it was given to the store, so the store ends it). */
  async close(): Promise<void> {
    await this.redis.quit();
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id ? `:${id}` : ''}`;
  }
}
