import { createHash } from 'node:crypto';
import { decodeKhqr, type KhqrData, KhqrError, khqrMd5, verifyKhqr } from '@khqr-checkout/khqr';

/** A transaction as Bakong returns it in `data` (documented fields plus the live ones). */
export interface Transaction {
  hash: string;
  fromAccountId: string;
  toAccountId: string;
  currency: 'KHR' | 'USD';
  /** Major units, as a JSON number (Bakong's `float`). */
  amount: number;
  description: string;
  createdDateMs: number;
  acknowledgedDateMs: number;
  externalRef: string;
  instructionRef: string | null;
  trackingStatus: string | null;
  receiverBank: string | null;
  receiverBankAccount: string | null;
}

/** How the sandbox learned of a QR. */
export type QrSource = 'scan' | 'check' | 'deeplink';

/** One QR the sandbox knows: by its payload (scanned, pasted, deep-linked) or only by md5 (checked). */
export interface QrRecord {
  md5: string;
  /** The payload; `null` when only its md5 has been checked. */
  qr: string | null;
  data: KhqrData | null;
  source: QrSource;
  seenAt: number;
  checks: number;
  lastCheckedAt: number | null;
  status: 'unpaid' | 'paid' | 'failed';
  transaction: Transaction | null;
  /**
   * Taken off the bank app's list by "Clear list": still known, paid or failed as before (md5
   * checks answer the same), listed again once scanned again.
   */
  cleared?: boolean;
}

/** Why a payment or failure was refused. */
export type RefusalReason = 'unknown-qr' | 'invalid-qr' | 'static-qr' | 'expired' | 'already-paid';

/** A refused payment, with a reason a person can read. */
export class PaymentRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'PaymentRefused';
  }
}

/** Options of a simulated payment. */
export interface PayOptions {
  /** The payer's Bakong account. @default 'sok_dara@devb' */
  payer?: string;
  /** Sandbox-only: record different values than the QR's, to test a checker's verification. */
  overrides?: Partial<Pick<Transaction, 'amount' | 'currency' | 'toAccountId' | 'createdDateMs'>>;
}

/** What a QR reference can be: its payload, or the md5 of one already seen. */
export type QrRef = { qr: string } | { md5: string };

const DEFAULT_PAYER = 'sok_dara@devb';
const MAX_RECORDS = 500;

/** The sandbox's memory of QRs and transactions. */
export class Ledger {
  private records = new Map<string, QrRecord>();
  private byHash = new Map<string, QrRecord>();
  private sequence = 0;

  constructor(
    private readonly now: () => number,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Records a QR payload (structure checked, CRC and expiry not); returns its record. */
  see(qr: string, source: QrSource): QrRecord {
    let data: KhqrData;
    try {
      data = decodeKhqr(qr);
    } catch (error) {
      throw new PaymentRefused('invalid-qr', `Not a KHQR: ${(error as Error).message}`);
    }
    const md5 = khqrMd5(qr);
    const record = this.records.get(md5);
    if (record) {
      record.qr = qr;
      record.data = data;
      if (source !== 'check') record.source = source;
      // Scanned again: back on the list.
      delete record.cleared;
      this.onChange();
      return record;
    }
    return this.insert({
      md5,
      qr,
      data,
      source,
      seenAt: this.now(),
      checks: 0,
      lastCheckedAt: null,
      status: 'unpaid',
      transaction: null,
    });
  }

  /** Notes an md5 check; returns the record when the md5 is known. */
  checked(md5: string): QrRecord | undefined {
    const record =
      this.records.get(md5) ??
      this.insert({
        md5,
        qr: null,
        data: null,
        source: 'check',
        seenAt: this.now(),
        checks: 0,
        lastCheckedAt: null,
        status: 'unpaid',
        transaction: null,
      });
    record.checks++;
    record.lastCheckedAt = this.now();
    return record;
  }

  get(md5: string): QrRecord | undefined {
    return this.records.get(md5);
  }

  byTransactionHash(hash: string): QrRecord | undefined {
    return this.byHash.get(hash.toLowerCase());
  }

  /** The paid transaction whose hash starts with `short` and whose amount and currency match. */
  byShortHash(short: string, amount: number, currency: string): QrRecord | undefined {
    const prefix = short.toLowerCase();
    for (const record of this.byHash.values()) {
      const t = record.transaction as Transaction;
      if (t.hash.startsWith(prefix) && t.amount === amount && t.currency === currency.toUpperCase())
        return record;
    }
    return undefined;
  }

  /** Pays a QR the way a bank app would: refuses unknown, invalid, static, expired and paid QRs. */
  pay(ref: QrRef, options: PayOptions = {}): QrRecord {
    const record = this.resolve(ref);
    const qr = record.qr as string;
    const now = this.now();
    const verification = verifyKhqr(qr, { now, allowLongExpiry: true });
    if (!verification.valid) {
      const expired = verification.error.code === 46;
      throw new PaymentRefused(
        expired ? 'expired' : 'invalid-qr',
        expired
          ? 'This QR has expired: ask the merchant for a new one.'
          : `The bank app cannot read this QR: ${verification.error.message}`,
      );
    }
    const data = verification.data;
    if (!data.dynamic || data.amount === undefined) {
      throw new PaymentRefused(
        'static-qr',
        'This is a static QR: the sandbox only pays dynamic KHQR, whose payment Bakong can find by md5.',
      );
    }
    if (record.status === 'paid')
      throw new PaymentRefused('already-paid', 'This QR is already paid.');
    const hash = createHash('sha256')
      .update(`${record.md5}:${now}:${++this.sequence}`)
      .digest('hex');
    const transaction: Transaction = {
      hash,
      fromAccountId: options.payer ?? DEFAULT_PAYER,
      toAccountId: data.bakongAccountId,
      currency: data.currency,
      amount: Number(data.amount),
      description: data.billNumber ?? data.purpose ?? '',
      createdDateMs: now,
      acknowledgedDateMs: now + 1000 + (this.sequence % 1000),
      externalRef: `100FT${String(now).slice(-9)}${String(this.sequence).padStart(4, '0')}`,
      instructionRef: null,
      trackingStatus: null,
      receiverBank: data.acquiringBank ?? null,
      receiverBankAccount: null,
      ...options.overrides,
    };
    record.status = 'paid';
    record.transaction = transaction;
    this.byHash.set(hash, record);
    this.onChange();
    return record;
  }

  /** Records a failed payment: md5 checks then answer errorCode 3. Refused once paid. */
  fail(ref: QrRef): QrRecord {
    const record = this.resolve(ref);
    if (record.status === 'paid')
      throw new PaymentRefused('already-paid', 'This QR is already paid.');
    record.status = 'failed';
    this.onChange();
    return record;
  }

  /** Most recently seen or checked first. */
  list(): QrRecord[] {
    return [...this.records.values()].sort(
      (a, b) => (b.lastCheckedAt ?? b.seenAt) - (a.lastCheckedAt ?? a.seenAt),
    );
  }

  /** What the bank app lists: {@link list} without the QRs cleared from it. */
  listed(): QrRecord[] {
    return this.list().filter((r) => !r.cleared);
  }

  /**
   * Empties the bank app's list: every QR stays known, with its payment or failure, so Bakong's
   * answers do not change; a QR seen afterwards (a new one, or one scanned again) is listed.
   * Returns how many QRs left the list.
   */
  clearList(): number {
    const listed = this.listed();
    for (const record of listed) record.cleared = true;
    if (listed.length) this.onChange();
    return listed.length;
  }

  reset(): void {
    this.records.clear();
    this.byHash.clear();
    this.onChange();
  }

  toJSON(): { records: QrRecord[]; sequence: number } {
    return { records: [...this.records.values()], sequence: this.sequence };
  }

  /** Restores a saved ledger; entries that do not decode are dropped. */
  load(saved: { records?: unknown; sequence?: unknown }): void {
    this.reset();
    this.sequence = typeof saved.sequence === 'number' ? saved.sequence : 0;
    if (!Array.isArray(saved.records)) return;
    for (const r of saved.records as QrRecord[]) {
      if (typeof r?.md5 !== 'string' || !/^[0-9a-f]{32}$/.test(r.md5)) continue;
      try {
        const data = r.qr === null ? null : decodeKhqr(r.qr);
        this.insert({ ...r, data });
        if (r.transaction) this.byHash.set(r.transaction.hash, this.records.get(r.md5) as QrRecord);
      } catch (error) {
        if (!(error instanceof KhqrError)) throw error;
      }
    }
  }

  private resolve(ref: QrRef): QrRecord {
    if ('qr' in ref && typeof ref.qr === 'string') return this.see(ref.qr, 'scan');
    const md5 = 'md5' in ref ? ref.md5 : undefined;
    const record = typeof md5 === 'string' ? this.records.get(md5.toLowerCase()) : undefined;
    if (!record?.qr) {
      throw new PaymentRefused(
        'unknown-qr',
        'The sandbox has not seen this QR: scan, paste or upload it first.',
      );
    }
    return record;
  }

  private insert(record: QrRecord): QrRecord {
    this.records.set(record.md5, record);
    // Forget the oldest unpaid QRs past the cap; paid ones stay findable by hash.
    if (this.records.size > MAX_RECORDS) {
      const oldest = this.list()
        .reverse()
        .find((r) => r.status !== 'paid');
      if (oldest) this.records.delete(oldest.md5);
    }
    this.onChange();
    return record;
  }
}
