import type { Redis } from 'ioredis';
import type { CheckoutRecord, ProxyStore, StatusEntry } from './store.ts';

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
 * A store in Redis (an `ioredis` client), so several proxy instances share registrations,
 * statuses, single-flight locks, rate limits and the exactly-once `onPaid` claim.
 * @example
 * import { Redis } from 'ioredis';
 * const store = new RedisStore(new Redis(process.env.REDIS_URL));
 */
export class RedisStore implements ProxyStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'khqr:';
  }

  async addCheckout(record: CheckoutRecord, ttlMs: number): Promise<boolean> {
    const added = await this.redis.set(
      this.key('co', record.md5),
      JSON.stringify(record),
      'PX',
      Math.max(1, Math.round(ttlMs)),
      'NX',
    );
    if (added !== 'OK') return false;
    await this.redis.zadd(this.key('pending'), record.expiresAt, record.md5);
    return true;
  }

  async getCheckout(md5: string): Promise<CheckoutRecord | null> {
    return this.read<CheckoutRecord>(await this.redis.get(this.key('co', md5)));
  }

  async getStatus(md5: string): Promise<StatusEntry | null> {
    return this.read<StatusEntry>(await this.redis.get(this.key('st', md5)));
  }

  async setStatus(md5: string, entry: StatusEntry, ttlMs: number): Promise<void> {
    await this.redis.set(
      this.key('st', md5),
      JSON.stringify(entry),
      'PX',
      Math.max(1, Math.round(ttlMs)),
    );
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

  async pending(): Promise<string[]> {
    return this.redis.zrange(this.key('pending'), '0', '499');
  }

  async settle(md5: string): Promise<void> {
    await this.redis.zrem(this.key('pending'), md5);
  }

  /** Closes the Redis connection (it was given to the store, so the store ends it). */
  async close(): Promise<void> {
    await this.redis.quit();
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id ? `:${id}` : ''}`;
  }

  private read<T>(text: string | null): T | null {
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      return null;
    }
  }
}
