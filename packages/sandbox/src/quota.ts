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
  /** Bakong API calls counted today, refused ones included. */
  used: number;
  /** Calls answered with errorCode 17 today. */
  refused: number;
  /** The next midnight in Phnom Penh, on the sandbox clock. */
  resetsAt: number;
}

/**
 * The token's daily quota as Bakong enforces it: every call counts, refused ones too, and past
 * the limit each call is answered with errorCode 17 until midnight in Phnom Penh.
 */
export class DailyQuota {
  private day = Number.NaN;
  private used = 0;
  private refused = 0;

  constructor(
    private readonly now: () => number,
    private limit: number | null = null,
  ) {}

  /** Counts one call; resolves whether it is refused (over the limit). */
  take(): boolean {
    this.roll();
    this.used++;
    const refused = this.limit !== null && this.used > this.limit;
    if (refused) this.refused++;
    return refused;
  }

  setLimit(limit: number | null): void {
    if (limit !== null && !(Number.isInteger(limit) && limit >= 0))
      throw new RangeError(`dailyLimit must be a whole number ≥ 0 or null, got ${String(limit)}.`);
    this.limit = limit;
  }

  state(): QuotaState {
    this.roll();
    return {
      dailyLimit: this.limit,
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
