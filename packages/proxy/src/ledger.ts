import type { SqlDatabase, SqlQuery } from './database.ts';
import type { PaidEvent } from './events.ts';
import type { CheckoutRecord, CheckoutStatus } from './store.ts';

/** A checkout as the ledger holds it: what was issued, what the page sees, whether it is watched. */
export interface CheckoutRow extends CheckoutRecord {
  /** What the page sees. */
  state: CheckoutStatus;
  /** Why it failed: Bakong said so, or the money did not match the order. */
  reason: 'bakong' | 'mismatch' | null;
  /** When Bakong last answered about it (ms on the ledger clock), or null. */
  checkedAt: number | null;
  /** Until when a payment still counts as on time: the QR's expiry plus grace (ms). */
  watchUntil: number;
  /** The server still asks Bakong about it: not paid, and a payment could still arrive. */
  watching: boolean;
  /** Reached `watchUntil` with no conclusive answer (outage, quota): asked again until one comes. */
  reconcile: boolean;
}

/** A settlement in the outbox. */
export interface SettlementRow {
  eventId: string;
  md5: string;
  event: PaidEvent;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  gaveUpAt: number | null;
}

/** A time when no instance asks Bakong. */
export interface UpstreamPause {
  /** `quota`: errorCode 17, until midnight in Phnom Penh; `token`: the token was refused. */
  kind: 'quota' | 'token';
  until: number;
  since: number;
}

/** What `/health` shows of the outbox. */
export interface OutboxHealth {
  undelivered: number;
  oldestUndeliveredAt: number | null;
  abandoned: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
/**
 * A cached row nobody read for this long is dropped: an open page polls far more often (every
 * 15 s when hidden), so only closed and finished checkouts go, and a later read costs one query.
 */
const CACHE_IDLE_MS = 10 * 60_000;
/** Rows cached at most; beyond it the least recently remembered go first. */
const CACHE_MAX = 20_000;
/** The cache is combed for idle rows at most this often. */
const CACHE_PRUNE_MS = 60_000;
/** "Not found" times kept unwritten at most: more are written at once, sweeper or not. */
const UNWRITTEN_MAX = 5_000;

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/**
 * The system of record for checkouts and settlements, in Postgres SQL (embedded or a server).
 * Every state change is one statement or one transaction, so a crash between any two leaves a
 * state the next start completes.
 */
export class Ledger {
  private readonly t: { checkouts: string; settlements: string; pauses: string; days: string };
  private dayCache:
    | { day: string; spent: number; lastCallAt: number | null; at: number }
    | undefined;
  private pauseCache: { pause: UpstreamPause | null; at: number } | undefined;
  /**
   * The `kind` a token pause is stored under: `token:<fingerprint>`. A pause written for another
   * token (or, before fingerprints, as plain `token`) is ignored, and expires on its own.
   */
  private readonly tokenKind: string;
  /**
   * The reads of the pause and of today's count in flight: every caller meanwhile shares one
   * query. Under load hundreds of checks find the second-old copy stale at once, and one query
   * each would queue behind each other for longer than the copy lasts.
   */
  private pauseRead: Promise<UpstreamPause | null> | undefined;
  private dayRead:
    | { day: string; read: Promise<{ spent: number; lastCallAt: number | null }> }
    | undefined;
  /** Bumped by every read and write of the pause (of the day's count): a superseded read is not kept. */
  private pauseGeneration = 0;
  private dayGeneration = 0;
  private offset = 0;
  /**
   * Checkouts read or written lately, so a page's poll costs no query. An embedded database has
   * one writer, this process, so what it holds stays true; on Postgres another instance may
   * write, so an entry is trusted for a second only (the "not found" reuse window).
   */
  private readonly cache = new Map<string, { row: CheckoutRow; at: number; usedAt: number }>();
  private readonly cacheMs: number;
  private cachePrunedAt = Number.NEGATIVE_INFINITY;
  /**
   * The md5s being read now, each with a count of the writes made to it meanwhile, so a read that
   * raced a write is not remembered. An md5 leaves when its last read ends: this holds reads in
   * flight, nothing more.
   */
  private readonly reads = new Map<string, { pending: number; writes: number }>();
  /**
   * When Bakong last said "not found", not yet written (embedded only): one statement writes them
   * all before the sweeper reads, instead of a disk write per poll. Losing them in a crash costs
   * one early check after the restart, nothing more.
   */
  private readonly unwrittenChecks = new Map<string, number>();

  constructor(
    readonly db: SqlDatabase,
    private readonly localNow: () => number,
    readonly schema = 'khqr',
    /** The token's fingerprint (token-health.ts): a token pause binds only the token it was written for. */
    tokenFingerprint = '',
  ) {
    if (!SCHEMA.test(schema))
      throw new Error(
        `[khqr-proxy] Invalid database schema name ${JSON.stringify(schema)}: use lowercase letters, digits and _.`,
      );
    this.t = {
      checkouts: `${schema}.checkouts`,
      settlements: `${schema}.settlements`,
      pauses: `${schema}.upstream_pauses`,
      days: `${schema}.upstream_days`,
    };
    this.cacheMs = db.kind === 'embedded' ? Number.POSITIVE_INFINITY : 1000;
    this.tokenKind = `token:${tokenFingerprint}`;
  }

  /**
   * Time on the ledger's clock. Every instance on one Postgres server reads the server's clock
   * (through an offset measured at start and every 10 minutes), so skewed instances agree on
   * expiry; the embedded database shares this process's clock.
   */
  now(): number {
    return Math.round(this.localNow() + this.offset);
  }

  /** Creates the tables if they are missing (one instance at a time), and reads the clock. */
  async open(): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Several instances starting at once must not race on CREATE … IF NOT EXISTS.
      await tx.query('select pg_advisory_xact_lock(7345100)');
      await tx.query(`create schema if not exists ${this.schema}`);
      await tx.query(`create table if not exists ${this.t.checkouts} (
        md5 text primary key,
        qr text not null,
        checkout_id text not null,
        source text not null,
        order_id text,
        bill_number text,
        amount_minor double precision not null,
        currency text not null,
        to_account text not null,
        created_at double precision not null,
        expires_at double precision not null,
        state text not null default 'pending',
        reason text,
        checked_at double precision,
        watch_until double precision not null,
        watching boolean not null default true,
        reconcile boolean not null default false
      )`);
      await tx.query(
        `create index if not exists checkouts_watching on ${this.t.checkouts} (checked_at) where watching`,
      );
      await tx.query(`create table if not exists ${this.t.settlements} (
        event_id text primary key,
        md5 text not null unique references ${this.t.checkouts} (md5),
        event text not null,
        created_at double precision not null,
        attempts integer not null default 0,
        next_attempt_at double precision not null,
        lease_until double precision,
        delivered_at double precision,
        last_error text,
        gave_up_at double precision
      )`);
      await tx.query(`create table if not exists ${this.t.pauses} (
        kind text primary key,
        until double precision not null,
        since double precision not null
      )`);
      // Bakong calls counted per Phnom Penh day (the quota's day), shared by every instance.
      await tx.query(`create table if not exists ${this.t.days} (
        day text primary key,
        spent integer not null default 0,
        last_call_at double precision,
        learned integer
      )`);
      await tx.query(
        `create index if not exists settlements_due on ${this.t.settlements} (next_attempt_at) where delivered_at is null and gave_up_at is null`,
      );
    });
    // One process opens an embedded database at a time (a lock file sees to it), so every lease
    // in it was taken by a process that is gone: deliver those settlements again at once.
    if (this.db.kind === 'embedded')
      await this.db.query(
        `update ${this.t.settlements} set lease_until = null where lease_until is not null and delivered_at is null`,
      );
    await this.syncClock();
  }

  /** Measures how far this process's clock is from the database server's. */
  async syncClock(): Promise<void> {
    if (this.db.kind === 'embedded') return;
    const before = this.localNow();
    const [row] = await this.db.query('select extract(epoch from clock_timestamp()) * 1000 as t');
    const after = this.localNow();
    this.offset = num(row?.t) - (before + after) / 2;
  }

  /** Adds a checkout unless its md5 is known; resolves whether it was added. */
  async add(record: CheckoutRecord, graceMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `insert into ${this.t.checkouts}
        (md5, qr, checkout_id, source, order_id, bill_number, amount_minor, currency, to_account,
         created_at, expires_at, watch_until)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict (md5) do nothing returning md5`,
      [
        record.md5,
        record.qr,
        record.checkoutId,
        record.source,
        record.orderId ?? null,
        record.billNumber ?? null,
        record.amountMinor,
        record.currency,
        record.toAccountId,
        record.createdAt,
        record.expiresAt,
        record.expiresAt + graceMs,
      ],
    );
    this.invalidate(record.md5);
    return rows.length === 1;
  }

  /** A checkout; `fresh` reads the database even when a recent copy is at hand. */
  async get(md5: string, fresh = false): Promise<CheckoutRow | null> {
    const cached = this.cache.get(md5);
    const now = this.localNow();
    if (!fresh && cached && now - cached.at < this.cacheMs) {
      cached.usedAt = now;
      return cached.row;
    }
    let race = this.reads.get(md5);
    if (!race) {
      race = { pending: 0, writes: 0 };
      this.reads.set(md5, race);
    }
    race.pending++;
    const before = race.writes;
    let row: Record<string, unknown> | undefined;
    try {
      [row] = await this.db.query(`select * from ${this.t.checkouts} where md5 = $1`, [md5]);
    } finally {
      if (--race.pending === 0) this.reads.delete(md5);
    }
    if (!row) return null;
    const read = this.withUnwritten(toCheckout(row));
    return race.writes === before ? this.remember(read) : read;
  }

  /** What the ledger holds in memory now: rows cached, reads in flight, unwritten check times. */
  held(): { cached: number; reads: number; unwrittenChecks: number } {
    return {
      cached: this.cache.size,
      reads: this.reads.size,
      unwrittenChecks: this.unwrittenChecks.size,
    };
  }

  /** A row read from the database, with its "not found" time kept in memory, if later. */
  private withUnwritten(row: CheckoutRow): CheckoutRow {
    const at = this.unwrittenChecks.get(row.md5);
    return at !== undefined && at > (row.checkedAt ?? 0) ? { ...row, checkedAt: at } : row;
  }

  private invalidate(md5: string): void {
    this.cache.delete(md5);
    const race = this.reads.get(md5);
    if (race) race.writes++;
  }

  private remember(row: CheckoutRow): CheckoutRow {
    const now = this.localNow();
    this.cache.delete(row.md5);
    this.cache.set(row.md5, { row, at: now, usedAt: now });
    this.pruneCache(now);
    if (this.cache.size > CACHE_MAX) {
      // Oldest first: Map keeps insertion order, and every read re-inserts.
      for (const md5 of [...this.cache.keys()].slice(0, CACHE_MAX / 10)) this.cache.delete(md5);
    }
    return row;
  }

  /** Drops rows nobody read lately (a closed tab, a finished checkout), at most once a minute. */
  private pruneCache(now: number): void {
    if (now - this.cachePrunedAt < CACHE_PRUNE_MS && now >= this.cachePrunedAt) return;
    this.cachePrunedAt = now;
    for (const [md5, entry] of this.cache)
      if (now - entry.usedAt >= CACHE_IDLE_MS) this.cache.delete(md5);
  }

  /**
   * Records what Bakong answered (not a payment: see {@link settle}). A paid checkout is never
   * changed by it. Resolves the row, or null when it is paid, or when only the check time was
   * kept in memory (embedded) and the row is not at hand.
   */
  async note(
    md5: string,
    change: {
      state?: CheckoutStatus;
      reason?: CheckoutRow['reason'];
      watching?: boolean;
      reconcile?: boolean;
      checkedAt: number;
    },
  ): Promise<CheckoutRow | null> {
    const onlyChecked =
      change.state === undefined &&
      change.reason === undefined &&
      change.watching === undefined &&
      change.reconcile === undefined;
    const cached = this.cache.get(md5);
    if (onlyChecked && this.db.kind === 'embedded') {
      // Kept in memory until the next batch write; every read of the row sees it.
      this.unwrittenChecks.set(md5, change.checkedAt);
      const noted = cached ? this.remember({ ...cached.row, checkedAt: change.checkedAt }) : null;
      // With no sweeper to write them, a busy proxy writes them itself.
      if (this.unwrittenChecks.size >= UNWRITTEN_MAX) await this.writeChecks();
      return noted;
    }
    this.unwrittenChecks.delete(md5);
    const [row] = await this.db.query(
      `update ${this.t.checkouts} set
         state = coalesce($2, state),
         reason = case when $2::text is null then reason else $3 end,
         watching = coalesce($4, watching),
         reconcile = coalesce($5, reconcile),
         checked_at = $6
       where md5 = $1 and state <> 'paid' returning *`,
      [
        md5,
        change.state ?? null,
        change.reason ?? null,
        change.watching ?? null,
        change.reconcile ?? null,
        change.checkedAt,
      ],
    );
    this.invalidate(md5);
    return row ? this.remember(toCheckout(row)) : null;
  }

  /**
   * Moves a checkout to paid and puts its settlement in the outbox, in one transaction. Resolves
   * false when it was already paid (another check or instance got there first).
   */
  async settle(event: PaidEvent, delivered: boolean): Promise<boolean> {
    this.invalidate(event.md5);
    try {
      return await this.settleOnce(event, delivered);
    } finally {
      this.invalidate(event.md5);
    }
  }

  private settleOnce(event: PaidEvent, delivered: boolean): Promise<boolean> {
    return this.db.transaction(async (tx: SqlQuery) => {
      const moved = await tx.query(
        `update ${this.t.checkouts} set state = 'paid', reason = null, watching = false,
           reconcile = false, checked_at = $2
         where md5 = $1 and state <> 'paid' returning md5`,
        [event.md5, event.settledAt],
      );
      if (moved.length === 0) return false;
      await tx.query(
        `insert into ${this.t.settlements}
           (event_id, md5, event, created_at, next_attempt_at, delivered_at)
         values ($1, $2, $3, $4, $4, $5)`,
        [
          event.id,
          event.md5,
          JSON.stringify(event),
          event.settledAt,
          delivered ? event.settledAt : null,
        ],
      );
      return true;
    });
  }

  /**
   * Watched checkouts due for a question to Bakong, oldest answer first: those still in their
   * lifetime (plus grace) when last asked more than `intervalMs` ago, those past it (watched
   * late, or reconciling) when asked more than `slowMs` ago.
   */
  async due(now: number, intervalMs: number, slowMs: number, limit = 100): Promise<CheckoutRow[]> {
    // The sweeper's round: also when idle rows leave the cache.
    this.pruneCache(this.localNow());
    await this.writeChecks();
    const rows = await this.db.query(
      `select * from ${this.t.checkouts}
       where watching and coalesce(checked_at, 0) <
         case when watch_until < $1 then $1 - $3 else $1 - $2 end
       order by coalesce(checked_at, 0) limit $4`,
      [now, intervalMs, slowMs, limit],
    );
    return rows.map(toCheckout);
  }

  /** Writes the "not found" times kept in memory, in one statement. */
  async writeChecks(): Promise<void> {
    if (this.unwrittenChecks.size === 0) return;
    const checks = [...this.unwrittenChecks];
    this.unwrittenChecks.clear();
    await this.db.query(
      `update ${this.t.checkouts} c set checked_at = x.t
       from unnest($1::text[], $2::double precision[]) as x(md5, t)
       where c.md5 = x.md5 and c.state <> 'paid' and coalesce(c.checked_at, 0) < x.t`,
      [checks.map(([md5]) => md5), checks.map(([, t]) => t)],
    );
  }

  /**
   * Leases settlements that are due (or the one named) for `leaseMs`, so two workers never
   * deliver one at the same time. A crashed worker's lease runs out. `attempts` counts deliveries
   * that ended (failed or delivered): one cut short by a crash or a kill is not a failure of the
   * merchant's handler, so it neither counts nor delays the retry.
   */
  async lease(
    now: number,
    leaseMs: number,
    limit: number,
    eventId?: string,
  ): Promise<SettlementRow[]> {
    const rows = await this.db.query(
      `update ${this.t.settlements} set lease_until = $2
       where event_id in (
         select event_id from ${this.t.settlements}
         where delivered_at is null and gave_up_at is null
           and ($4::text is null and next_attempt_at <= $1 or event_id = $4)
           and (lease_until is null or lease_until < $1)
         order by next_attempt_at limit $3
         for update skip locked)
       returning *`,
      [now, now + leaseMs, limit, eventId ?? null],
    );
    return rows.map(toSettlement);
  }

  async delivered(eventId: string, at: number): Promise<void> {
    await this.db.query(
      `update ${this.t.settlements} set delivered_at = $2, lease_until = null, last_error = null,
         attempts = attempts + 1
       where event_id = $1`,
      [eventId, at],
    );
  }

  /** Records a failed delivery: the next attempt at `nextAt`, or none (given up) when null. */
  async failed(eventId: string, error: string, nextAt: number | null, at: number): Promise<void> {
    await this.db.query(
      `update ${this.t.settlements} set lease_until = null, last_error = $2, attempts = attempts + 1,
         next_attempt_at = coalesce($3, next_attempt_at),
         gave_up_at = case when $3::double precision is null then $4::double precision else null end
       where event_id = $1`,
      [eventId, error.slice(0, 500), nextAt, at],
    );
  }

  /**
   * Stops every instance asking Bakong until `until` (the quota is spent, the token refused).
   * A later `until` wins; an earlier one never shortens a pause. A token pause binds only this
   * ledger's token.
   */
  async pause(kind: UpstreamPause['kind'], until: number): Promise<void> {
    await this.db.query(
      `insert into ${this.t.pauses} (kind, until, since) values ($1, $2, $3)
       on conflict (kind) do update set until = greatest(${this.t.pauses}.until, excluded.until),
         since = case when ${this.t.pauses}.until < excluded.since then excluded.since
                      else ${this.t.pauses}.since end`,
      [kind === 'token' ? this.tokenKind : kind, until, this.now()],
    );
    this.pauseCache = undefined;
    this.pauseRead = undefined;
    this.pauseGeneration++;
  }

  /** The pause in force now, if any (read at most once a second, one read at a time). */
  async paused(): Promise<UpstreamPause | null> {
    const now = this.now();
    let pause: UpstreamPause | null;
    if (this.pauseCache && now - this.pauseCache.at < 1000) pause = this.pauseCache.pause;
    else {
      this.pauseRead ??= this.readPause(now);
      pause = await this.pauseRead;
    }
    return pause && pause.until > now ? pause : null;
  }

  private async readPause(now: number): Promise<UpstreamPause | null> {
    const generation = ++this.pauseGeneration;
    try {
      const rows = await this.db.query(
        `select kind, until, since from ${this.t.pauses}
         where until > $1 and kind in ('quota', $2) order by until desc limit 1`,
        [now, this.tokenKind],
      );
      const row = rows[0];
      const pause: UpstreamPause | null = row
        ? {
            kind: row.kind === 'quota' ? 'quota' : 'token',
            until: num(row.until),
            since: num(row.since),
          }
        : null;
      // A pause written meanwhile superseded this read: its older answer is not kept.
      if (generation === this.pauseGeneration) this.pauseCache = { at: now, pause };
      return pause;
    } finally {
      if (generation === this.pauseGeneration) this.pauseRead = undefined;
    }
  }

  /**
   * Counts one Bakong call before it is made, if today's count stays within `cap` and the last
   * call was at least `gapMs` ago; resolves whether the call may go. One statement, so instances
   * sharing a Postgres server never overspend together.
   */
  async spend(cap: number, gapMs: number): Promise<boolean> {
    if (cap < 1) return false;
    const now = this.now();
    const day = phnomPenhDay(now);
    const rows = await this.db.query(
      `insert into ${this.t.days} as d (day, spent, last_call_at) values ($1, 1, $2)
       on conflict (day) do update set spent = d.spent + 1, last_call_at = $2
         where d.spent + 1 <= $3 and coalesce(d.last_call_at, 0) <= $2 - $4
       returning spent`,
      [day, now, Math.min(cap, 2 ** 31 - 1), gapMs],
    );
    const spent = rows[0];
    if (spent) this.dayCache = { day, spent: num(spent.spent), lastCallAt: now, at: now };
    else this.dayCache = undefined;
    this.dayRead = undefined;
    this.dayGeneration++;
    return spent !== undefined;
  }

  /** Today's Bakong calls and the time of the last one (read at most once a second, one read at a time). */
  async today(): Promise<{ spent: number; lastCallAt: number | null }> {
    const now = this.now();
    const day = phnomPenhDay(now);
    if (this.dayCache?.day === day && now - this.dayCache.at < 1000)
      return { spent: this.dayCache.spent, lastCallAt: this.dayCache.lastCallAt };
    if (this.dayRead?.day !== day) this.dayRead = { day, read: this.readDay(day, now) };
    return this.dayRead.read;
  }

  private async readDay(
    day: string,
    now: number,
  ): Promise<{ spent: number; lastCallAt: number | null }> {
    const generation = ++this.dayGeneration;
    try {
      const [row] = await this.db.query(
        `select spent, last_call_at from ${this.t.days} where day = $1`,
        [day],
      );
      const today = { spent: num(row?.spent ?? 0), lastCallAt: numOrNull(row?.last_call_at) };
      // A call counted meanwhile superseded this read: its older answer is not kept.
      if (generation === this.dayGeneration) this.dayCache = { day, ...today, at: now };
      return today;
    } finally {
      if (generation === this.dayGeneration) this.dayRead = undefined;
    }
  }

  /**
   * Bakong refused a call for the quota: what was spent today before that call is the daily
   * quota as far as anyone knows (at least `floor`: another app holding the token may have spent
   * the rest). A lower figure learned the same day wins; a later day's figure replaces it.
   */
  async learnQuota(floor: number): Promise<number> {
    const day = phnomPenhDay(this.now());
    const [row] = await this.db.query(
      `update ${this.t.days} set learned = greatest($2, least(coalesce(learned, spent - 1), spent - 1))
       where day = $1 returning learned`,
      [day, floor],
    );
    return num(row?.learned ?? 0);
  }

  /** The daily quota learned from the latest errorCode 17, or null if none was ever seen. */
  async learnedQuota(): Promise<number | null> {
    const [row] = await this.db.query(
      `select learned from ${this.t.days} where learned is not null order by day desc limit 1`,
    );
    return row ? num(row.learned) : null;
  }

  /** When a paid checkout was paid (Bakong's time, else when it was settled), or null. */
  async paidAt(md5: string): Promise<number | null> {
    const [row] = await this.db.query(`select event from ${this.t.settlements} where md5 = $1`, [
      md5,
    ]);
    if (!row) return null;
    const paidAt = (JSON.parse(row.event as string) as { paidAt?: unknown }).paidAt;
    return typeof paidAt === 'number' ? paidAt : null;
  }

  /** Other checkouts of one order that are paid too: a customer who paid twice. */
  async otherPaid(orderId: string, md5: string): Promise<string[]> {
    const rows = await this.db.query(
      `select md5 from ${this.t.checkouts} where order_id = $1 and md5 <> $2 and state = 'paid'`,
      [orderId, md5],
    );
    return rows.map((row) => row.md5 as string);
  }

  async outboxHealth(): Promise<OutboxHealth> {
    const [row] = await this.db.query(
      `select count(*) filter (where delivered_at is null and gave_up_at is null) as undelivered,
              min(created_at) filter (where delivered_at is null and gave_up_at is null) as oldest,
              count(*) filter (where gave_up_at is not null) as abandoned
       from ${this.t.settlements}`,
    );
    return {
      undelivered: num(row?.undelivered ?? 0),
      oldestUndeliveredAt: numOrNull(row?.oldest),
      abandoned: num(row?.abandoned ?? 0),
    };
  }

  /** Hands a given-up settlement back to the outbox (after a human fixed the handler). */
  async retry(eventId: string, at: number): Promise<boolean> {
    const rows = await this.db.query(
      `update ${this.t.settlements} set gave_up_at = null, next_attempt_at = $2
       where event_id = $1 and delivered_at is null returning event_id`,
      [eventId, at],
    );
    return rows.length === 1;
  }
}

const PHNOM_PENH_OFFSET_MS = 7 * 3_600_000; // UTC+7 all year, no daylight saving

/** The calendar day in Phnom Penh, `YYYY-MM-DD`: Bakong's quota runs from one midnight there to the next. */
export function phnomPenhDay(at: number): string {
  return new Date(at + PHNOM_PENH_OFFSET_MS).toISOString().slice(0, 10);
}

/** The next midnight in Phnom Penh after `at`, when Bakong's daily quota starts again. */
export function nextPhnomPenhMidnight(at: number): number {
  const day = 86_400_000;
  return (Math.floor((at + PHNOM_PENH_OFFSET_MS) / day) + 1) * day - PHNOM_PENH_OFFSET_MS;
}

function toCheckout(row: Record<string, unknown>): CheckoutRow {
  return {
    md5: row.md5 as string,
    qr: row.qr as string,
    checkoutId: row.checkout_id as string,
    source: row.source as CheckoutRow['source'],
    ...(row.order_id == null ? {} : { orderId: row.order_id as string }),
    ...(row.bill_number == null ? {} : { billNumber: row.bill_number as string }),
    amountMinor: num(row.amount_minor),
    currency: row.currency as CheckoutRow['currency'],
    toAccountId: row.to_account as string,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    state: row.state as CheckoutStatus,
    reason: (row.reason as CheckoutRow['reason']) ?? null,
    checkedAt: numOrNull(row.checked_at),
    watchUntil: num(row.watch_until),
    watching: row.watching === true,
    reconcile: row.reconcile === true,
  };
}

function toSettlement(row: Record<string, unknown>): SettlementRow {
  return {
    eventId: row.event_id as string,
    md5: row.md5 as string,
    event: JSON.parse(row.event as string) as PaidEvent,
    createdAt: num(row.created_at),
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    deliveredAt: numOrNull(row.delivered_at),
    lastError: (row.last_error as string | null) ?? null,
    gaveUpAt: numOrNull(row.gave_up_at),
  };
}
