import { type Ledger, nextPhnomPenhMidnight } from './ledger.ts';

/**
 * Why a Bakong call would be made:
 * - `page`: a page is watching a checkout (only with no daily budget: as fast as pages poll);
 * - `signal`: the customer tapped "I've paid", or came back to the page from the bank app;
 * - `paced`: the scheduler's own look at every open checkout (a closed tab still settles);
 * - `expiry`: a server-made checkout's page is there at its expiry: its verdict, asked for once;
 * - `final`: a checkout past expiry plus grace with no answer since: on the pacing clock;
 * - `probe`: `/health` asking whether Bakong answers from here (only with no budget);
 * - `link`: a deep link into the bank app, once per QR.
 */
export type CallKind = 'page' | 'signal' | 'paced' | 'expiry' | 'final' | 'probe' | 'link';

const DAY_MS = 86_400_000;
/** Calls never come closer than this on the pacing clock. */
const MIN_GAP_MS = 2_000;
/**
 * Share of the day's budget only signals may spend: a customer who says they paid is the call
 * most worth making. Pacing and the last checks at expiry stop short of it.
 */
const RESERVE_SHARE = 0.6;
/** The smallest budget: a learned one never goes below it. */
export const MIN_BUDGET = 4;
/** How long the learned quota is reused before the ledger is read again, ms. */
const LEARNED_TTL_MS = 60_000;

/** How far today's count may go for a call of this kind. */
function cap(kind: CallKind, state: BudgetState): number {
  const limit = state.limit ?? Number.POSITIVE_INFINITY;
  return kind === 'signal' ? limit : limit - state.reserve;
}

/** The daily budget in force, and what pacing allows now. */
export interface BudgetState {
  /** Calls allowed today, or null: unlimited (no budget set, no errorCode 17 seen). */
  limit: number | null;
  spent: number;
  /** Kept for signals. */
  reserve: number;
  /** The pacing clock: at least this long between two calls that are not signals, ms. */
  gapMs: number;
  /** Nothing is left today: pages hear that confirmation comes later. */
  exhausted: boolean;
}

/**
 * Meters Bakong calls against a daily budget, per Phnom Penh day, counted in the ledger before
 * each call so instances on one database never overspend together.
 *
 * With no budget the proxy asks as fast as pages poll, counting calls, until Bakong refuses one
 * with errorCode 17; what was spent that day before it becomes the budget from then on (at least
 * 4), until a later errorCode 17 teaches another. A configured budget always wins. With a budget
 * `B`:
 * - pacing: a look at the open checkouts happens only when no call was made for
 *   `max(2 s, 24 h / B, time left today / calls left before the reserve)`, so at most about
 *   1/24 of the budget goes in any hour whatever the hour, and nothing while no checkout is open;
 * - 60 % of the budget is a reserve only signals may spend (a customer saying they paid is the
 *   call most worth making): pacing and the last checks at expiry stop short of it;
 * - a signal goes at once (signals arriving together share one list call), never past `B`; the
 *   last check of a checkout whose page is there at expiry goes at once too, within pacing's share.
 */
export class Budget {
  private learned: { value: number | null; at: number } | undefined;
  private learning: Promise<number | null> | undefined;

  constructor(
    private readonly ledger: Ledger,
    /** `bakong.dailyBudget`, or null. */
    private readonly configured: number | null,
  ) {}

  /** The budget in force and what is left of it today. */
  async state(): Promise<BudgetState> {
    const limit = await this.limit();
    const { spent } = await this.ledger.today();
    if (limit === null) return { limit, spent, reserve: 0, gapMs: 0, exhausted: false };
    const reserve = Math.max(1, Math.ceil(limit * RESERVE_SHARE));
    const now = this.ledger.now();
    const leftForPacing = Math.max(1, limit - reserve - spent);
    const gapMs = Math.max(
      MIN_GAP_MS,
      Math.floor(DAY_MS / limit),
      Math.floor((nextPhnomPenhMidnight(now) - now) / leftForPacing),
    );
    return { limit, spent, reserve, gapMs, exhausted: spent >= limit };
  }

  /** Whether pacing lets a call of this kind go now, without counting it (a cheap look first). */
  async due(kind: CallKind): Promise<boolean> {
    const state = await this.state();
    if (state.limit === null) return true;
    if (state.spent >= cap(kind, state)) return false;
    if (kind === 'signal' || kind === 'expiry' || kind === 'link') return true;
    const { lastCallAt } = await this.ledger.today();
    return lastCallAt === null || this.ledger.now() - lastCallAt >= state.gapMs;
  }

  /** Counts one call of this kind if the budget lets it go; resolves whether it may be made. */
  async take(kind: CallKind): Promise<boolean> {
    const state = await this.state();
    if (state.limit === null) return this.ledger.spend(Number.POSITIVE_INFINITY, 0);
    if (kind === 'page') return false;
    const paced = kind === 'paced' || kind === 'probe' || kind === 'final';
    return this.ledger.spend(cap(kind, state), paced ? state.gapMs : 0);
  }

  /** Bakong said the quota is spent: what today cost before that is the budget from now on. */
  async learn(): Promise<number> {
    const learned = await this.ledger.learnQuota(MIN_BUDGET);
    this.learned = { value: learned, at: this.ledger.now() };
    return learned;
  }

  private async limit(): Promise<number | null> {
    const now = this.ledger.now();
    if (!this.learned || now - this.learned.at >= LEARNED_TTL_MS) {
      // One read for every caller at once, not one each.
      this.learning ??= this.ledger.learnedQuota().finally(() => {
        this.learning = undefined;
      });
      this.learned = { value: await this.learning, at: now };
    }
    // A configured budget is the operator's word; a learned one applies only without it.
    return this.configured ?? this.learned.value;
  }
}
