/** Phnom Penh is UTC+7 all year: Bakong's day starts at 17:00 UTC. */
const PHNOM_PENH_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** The real errorCode 17 envelope, as integrators record it. */
export const QUOTA_ENVELOPE = {
  responseCode: 1 as const,
  responseMessage: 'Daily request limit of 100 exceeded. Please try again tomorrow.',
  errorCode: 17,
  data: null,
};

/** What `GET /_sandbox/quota` answers. */
export interface QuotaState {
  /** Calls a day before errorCode 17; null: no limit. */
  dailyLimit: number | null;
  /** Whether a `check_transaction_by_md5_list` call counts once per md5 in its list, not once. */
  perMd5: boolean;
  /**
   * Bakong API calls counted today, refused ones included; with `perMd5`, an answered md5_list
   * call counts as many as its md5s.
   */
  used: number;
  /** Calls answered with errorCode 17 today. */
  refused: number;
  /** The next midnight in Phnom Penh, on the sandbox clock. */
  resetsAt: number;
}

/**
 * The token's daily quota as Bakong enforces it: every call counts, refused ones too, and past
 * the limit each call is answered with errorCode 17 until midnight in Phnom Penh. Whether an
 * md5_list call counts once or per md5 is not known, so both can be chosen.
 */
export class DailyQuota {
  private day = Number.NaN;
  private used = 0;
  private refused = 0;

  constructor(
    private readonly now: () => number,
    private limit: number | null = null,
    private perMd5 = false,
  ) {}

  /** Counts one call; resolves whether it is refused (over the limit). */
  take(): boolean {
    this.roll();
    this.used++;
    const refused = this.limit !== null && this.used > this.limit;
    if (refused) this.refused++;
    return refused;
  }

  /**
   * Counts the md5s of a list call beyond the one {@link take} counted, when the quota counts per
   * md5; resolves whether the call is refused because its list would go over the limit. A refused
   * list counts once, like any refused call, as none of its md5s is looked up.
   */
  takeListItems(items: number): boolean {
    if (!this.perMd5 || items <= 1) return false;
    if (this.limit !== null && this.used - 1 + items > this.limit) {
      this.refused++;
      return true;
    }
    this.used += items - 1;
    return false;
  }

  setLimit(limit: number | null): void {
    if (limit !== null && !(Number.isInteger(limit) && limit >= 0))
      throw new RangeError(`dailyLimit must be a whole number ≥ 0 or null, got ${String(limit)}.`);
    this.limit = limit;
  }

  /** Counts each md5 of a `check_transaction_by_md5_list` call (true) or the call once (false). */
  setPerMd5(perMd5: boolean): void {
    if (typeof perMd5 !== 'boolean')
      throw new TypeError(`perMd5 must be true or false, got ${String(perMd5)}.`);
    this.perMd5 = perMd5;
  }

  state(): QuotaState {
    this.roll();
    return {
      dailyLimit: this.limit,
      perMd5: this.perMd5,
      used: this.used,
      refused: this.refused,
      resetsAt: (this.day + 1) * DAY_MS - PHNOM_PENH_OFFSET_MS,
    };
  }

  reset(): void {
    this.day = Number.NaN;
    this.roll();
  }

  private roll(): void {
    const day = Math.floor((this.now() + PHNOM_PENH_OFFSET_MS) / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
      this.refused = 0;
    }
  }
}
