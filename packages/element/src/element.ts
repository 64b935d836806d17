import {
  generateKhqr,
  type KhqrCurrency,
  type KhqrData,
  KhqrError,
  khqrMd5,
  verifyKhqr,
} from '@khqr-checkout/khqr';
import {
  BUTTON,
  CARD_CSS,
  CURRENCY_MARK,
  cardFileName,
  cardPng,
  formatCountdown,
  formatMoney,
  formatPaidAt,
  PRIMARY,
  qrPath,
  receiptReference,
  stringsFor,
} from '@khqr-checkout/khqr/card';
import {
  type CheckoutSession,
  checkoutInput,
  createCheckoutSession,
  keepQr,
  keptQr,
  type PollPolicy,
  pageTabs,
  requestCheckout,
  type SessionSnapshot,
} from '@khqr-checkout/khqr/session';
import { correction, generate as encodeQr } from 'lean-qr/nano';
import { html, LitElement, nothing, type PropertyValues, unsafeCSS } from 'lit';
import type { KhqrErrorDetail, KhqrEventDetail } from './events.ts';

/** The QR being shown. */
interface Checkout {
  qr: string;
  md5: string;
  data: KhqrData;
  /** Generated here (so "new QR" can make another) rather than given by the server. */
  generated: boolean;
  modules: boolean[][];
}

const CONFIG = [
  'qr',
  'bakongAccountId',
  'merchantName',
  'merchantCity',
  'amount',
  'currency',
  'billNumber',
  'storeLabel',
  'terminalLabel',
  'mobileNumber',
  'purpose',
  'merchantId',
  'acquiringBank',
  'lifetime',
] as const;
const TERMINAL = ['paid', 'failed', 'expired'];
const ANNOUNCE_AT = [300, 120, 60, 30, 10];

/** The QR's modules (error correction Q: the centre mark hides a few percent of them). */
function qrModules(qr: string): boolean[][] {
  const code = encodeQr(qr, { minCorrectionLevel: correction.Q });
  return Array.from({ length: code.size }, (_, y) =>
    Array.from({ length: code.size }, (_, x) => code.get(x, y)),
  );
}

/**
 * `<khqr-checkout>`: the KHQR card with a countdown, watching the merchant's proxy until the
 * payment is paid, failed or expired. Give either `qr` (made by the server, the secure default)
 * or the merchant fields to make the KHQR here.
 * @fires khqr-success - paid (UI only: fulfil orders in the proxy's onPaid)
 * @fires khqr-failed
 * @fires khqr-expired
 * @fires khqr-status - every state change
 * @fires khqr-error - invalid configuration, or checks failing for now
 * @fires khqr-refresh - cancelable; "new QR" on a server-generated QR (canceling stops the
 *   request to `renew-endpoint`: the page sets `qr` itself)
 * @slot continue - shown once paid, e.g. `<a slot="continue" href="/orders/42">Continue</a>`
 * @csspart card - the card; also header, name, amount, qr, receipt, timer, status, actions
 * @cssprop --khqr-width - card width @default 300px
 */
export class KhqrCheckoutElement extends LitElement {
  static override properties = {
    qr: {},
    bakongAccountId: { attribute: 'bakong-account-id' },
    merchantName: { attribute: 'merchant-name' },
    merchantCity: { attribute: 'merchant-city' },
    amount: {},
    currency: {},
    billNumber: { attribute: 'bill-number' },
    storeLabel: { attribute: 'store-label' },
    terminalLabel: { attribute: 'terminal-label' },
    mobileNumber: { attribute: 'mobile-number' },
    purpose: {},
    merchantId: { attribute: 'merchant-id' },
    acquiringBank: { attribute: 'acquiring-bank' },
    lifetime: { type: Number },
    endpoint: {},
    deeplinkEndpoint: { attribute: 'deeplink-endpoint' },
    renewEndpoint: { attribute: 'renew-endpoint' },
    lang: { reflect: true },
    theme: { reflect: true },
    pollPolicy: { attribute: false },
    _checkout: { state: true },
    _problem: { state: true },
    _snapshot: { state: true },
    _now: { state: true },
    _announcement: { state: true },
    _link: { state: true },
    _renewing: { state: true },
    _renewError: { state: true },
  };

  static override styles = unsafeCSS(
    `:host{display:inline-block;max-width:100%}:host([hidden]){display:none}${CARD_CSS}::slotted(:is(a,button)){${BUTTON};${PRIMARY}}`,
  );

  /** A KHQR made by the merchant's server. */
  declare qr: string | undefined;
  declare bakongAccountId: string | undefined;
  declare merchantName: string | undefined;
  declare merchantCity: string | undefined;
  /** KHR whole riel or USD with ≤ 2 decimals. */
  declare amount: string | number | undefined;
  declare currency: KhqrCurrency | undefined;
  declare billNumber: string | undefined;
  declare storeLabel: string | undefined;
  declare terminalLabel: string | undefined;
  declare mobileNumber: string | undefined;
  declare purpose: string | undefined;
  declare merchantId: string | undefined;
  declare acquiringBank: string | undefined;
  /** Seconds, ≤ 600. @default 300 */
  declare lifetime: number | undefined;
  /** The proxy's check URL. */
  declare endpoint: string | undefined;
  /** The proxy's deep-link URL. @default the endpoint with `/check` replaced by `/deeplink` */
  declare deeplinkEndpoint: string | undefined;
  /**
   * The merchant's URL for a new QR of a server-made checkout: "New QR" posts `{md5}` (the old
   * QR's) and shows the `qr` (or `checkout.qr`) it answers. Without it, a server-made QR has no
   * "New QR" button.
   */
  declare renewEndpoint: string | undefined;
  /** `km` (default) or `en`. */
  declare lang: string;
  /** `light` (default) or `dark`. */
  declare theme: 'light' | 'dark' | undefined;
  /** Timing overrides of the checkout session (tests, unusual networks). */
  declare pollPolicy: Partial<PollPolicy> | undefined;

  declare private _checkout: Checkout | undefined;
  declare private _problem: KhqrErrorDetail | undefined;
  declare private _snapshot: SessionSnapshot | undefined;
  declare private _now: number;
  declare private _announcement: string;
  declare private _link: string | undefined;
  declare private _renewing: boolean;
  declare private _renewError: string | undefined;

  private session: CheckoutSession | undefined;
  private unsubscribe: (() => void) | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private fired = new Set<string>();
  private policyKey = '{}';
  private announced = new Set<number>();

  constructor() {
    super();
    this.lang = 'km';
    this._now = Date.now();
    this._announcement = '';
    this._renewing = false;
  }

  /**
   * Checks the payment now, telling the proxy the customer says they paid (`signal: 'paid'`, so
   * it asks Bakong at once). The "I've paid" button does this.
   */
  check(): void {
    this.session?.checkNow('paid');
  }

  /**
   * A new QR: made here for browser-generated QRs; for server-made ones, `khqr-refresh` is fired
   * and, unless canceled, `renew-endpoint` asked for one.
   */
  refresh(): void {
    const checkout = this._checkout;
    if (!checkout || this._renewing) return;
    if (checkout.generated) {
      this.build(true);
      return;
    }
    const proceed = this.dispatchEvent(
      new CustomEvent('khqr-refresh', {
        detail: this.detail(),
        bubbles: true,
        composed: true,
        cancelable: true,
      }),
    );
    if (!proceed || !this.renewEndpoint) return;
    this._renewing = true;
    this._renewError = undefined;
    requestCheckout(this.renewEndpoint, { md5: checkout.md5 })
      .then((qr) => {
        if (this._checkout === checkout) this.qr = qr;
      })
      .catch((error: Error) => {
        this._renewError = `${stringsFor(this.lang).renewFailed} (${error.message})`;
      })
      .finally(() => {
        this._renewing = false;
      });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this._checkout) this.watch();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unwatch();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // An equal policy in a new object (a template writing `.pollPolicy=${{…}}`) changes nothing.
    const policy = JSON.stringify(this.pollPolicy ?? {});
    const policyChanged = changed.has('pollPolicy') && policy !== this.policyKey;
    this.policyKey = policy;
    if (CONFIG.some((key) => changed.has(key)) || changed.has('endpoint') || policyChanged)
      this.build(false);
  }

  /** Works out the QR from the attributes: verifies a given one, or makes (or resumes) one. */
  private build(fresh: boolean): void {
    this.unwatch();
    this._checkout = undefined;
    this._problem = undefined;
    this._snapshot = undefined;
    this._link = undefined;
    this._renewError = undefined;
    try {
      let qr: string;
      let generated = false;
      if (this.qr) {
        qr = this.qr;
      } else {
        if (!this.bakongAccountId && !this.merchantName && this.amount === undefined) return;
        generated = true;
        const saved = fresh ? null : keptQr(this);
        qr = saved ?? generateKhqr(checkoutInput(this)).qr;
      }
      const verification = verifyKhqr(qr, { ignoreExpiry: true });
      if (!verification.valid) throw verification.error;
      const data = verification.data;
      if (!data.dynamic || data.expiresAt === undefined)
        throw new KhqrError(47, 'A static KHQR cannot be watched: it has no amount and no expiry.');
      const md5 = khqrMd5(qr);
      if (generated) keepQr(this, qr, data.expiresAt);
      this._checkout = {
        qr,
        md5,
        data,
        generated,
        modules: qrModules(qr),
      };
      if (this.isConnected) this.watch();
    } catch (error) {
      const code = error instanceof KhqrError ? String(error.code) : 'invalid';
      this._problem = { kind: 'config', code, message: (error as Error).message, md5: null };
      this.emitError(this._problem);
    }
  }

  private watch(): void {
    const checkout = this._checkout;
    // The countdown runs with or without a proxy to watch.
    if (checkout && this.ticker === undefined) this.ticker = setInterval(() => this.tick(), 1000);
    if (!checkout || !this.endpoint || this.session) return;
    const { lock, channel } = pageTabs();
    this.session = createCheckoutSession({
      md5: checkout.md5,
      expiresAt: checkout.data.expiresAt as number,
      endpoint: this.endpoint,
      ...(checkout.generated ? { qr: checkout.qr } : {}),
      lock,
      channel,
      ...(this.pollPolicy ? { policy: this.pollPolicy } : {}),
    });
    this.unsubscribe = this.session.subscribe(() => this.onSnapshot());
    this._snapshot = this.session.getSnapshot();
  }

  private unwatch(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.session?.destroy();
    this.session = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private detail(): KhqrEventDetail {
    const c = this._checkout as Checkout;
    return {
      md5: c.md5,
      amount: c.data.amount ?? '',
      currency: c.data.currency,
      state: this._snapshot?.state ?? 'idle',
      expiresAt: this._snapshot?.expiresAt ?? (c.data.expiresAt as number),
    };
  }

  private onSnapshot(): void {
    const before = this._snapshot;
    const after = this.session?.getSnapshot();
    if (!after || !this._checkout) return;
    this._snapshot = after;
    // The proxy knows a browser-generated QR only after its first check: ask for the link then.
    if (before && before.checks === 0 && after.checks > 0) this.prefetchLink();
    const strings = stringsFor(this.lang);
    if (before?.state !== after.state) {
      // A change, not the first pending (React's onStatusChange neither).
      if (before && before.state !== 'idle')
        this.dispatchEvent(
          new CustomEvent('khqr-status', { detail: this.detail(), bubbles: true, composed: true }),
        );
      const key = `${this._checkout.md5}:${after.state}`;
      if (TERMINAL.includes(after.state) && !this.fired.has(key)) {
        this.fired.add(key);
        const name =
          after.state === 'paid'
            ? 'khqr-success'
            : after.state === 'failed'
              ? 'khqr-failed'
              : 'khqr-expired';
        this.dispatchEvent(
          new CustomEvent(name, { detail: this.detail(), bubbles: true, composed: true }),
        );
        this._announcement = strings[after.state as 'paid'];
        // The QR stays kept until it expires: a reload shows this result again, not a new QR.
        clearInterval(this.ticker);
      }
    }
    if (!before?.reconnecting && after.reconnecting) {
      this._announcement = strings.reconnecting;
      this.emitError({
        kind: 'transport',
        code: 'reconnecting',
        message: 'Payment checks are failing; retrying.',
        md5: this._checkout.md5,
      });
    } else if (before?.reconnecting && !after.reconnecting && after.state === 'pending') {
      this._announcement = strings.waiting;
    }
    const problem = after.problem;
    if (problem && problem !== before?.problem) {
      this._announcement = strings.problem(problem);
      if (problem.kind === 'unreachable')
        this.emitError({
          kind: 'transport',
          code: problem.kind,
          message: problem.detail,
          md5: this._checkout.md5,
        });
    }
    if (!before?.error && after.error) {
      this._problem = {
        kind: 'config',
        code: after.error.code,
        message: after.error.message,
        md5: this._checkout.md5,
      };
      this.emitError(this._problem);
    }
  }

  private emitError(detail: KhqrErrorDetail): void {
    this.dispatchEvent(new CustomEvent('khqr-error', { detail, bubbles: true, composed: true }));
  }

  private tick(): void {
    this._now = Date.now();
    const left = Math.ceil(this.remaining() / 1000);
    // Announce the time left at a few thresholds, not every second.
    for (const mark of ANNOUNCE_AT) {
      if (left <= mark && left > mark - 2 && !this.announced.has(mark)) {
        this.announced.add(mark);
        this._announcement = stringsFor(this.lang).timeLeft(Math.floor(left / 60), left % 60);
      }
    }
  }

  private remaining(): number {
    const s = this._snapshot;
    const expiresAt = s?.expiresAt ?? (this._checkout?.data.expiresAt as number);
    return expiresAt - (this._now + (s?.serverOffsetMs ?? 0));
  }

  private prefetchLink(): void {
    const coarse = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
    const url = this.deeplinkEndpoint ?? this.endpoint?.replace(/\/check(\?.*)?$/, '/deeplink$1');
    const checkout = this._checkout;
    if (!coarse || !url || !checkout) return;
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ md5: checkout.md5 }),
    })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { shortLink?: unknown } | null) => {
        if (
          typeof body?.shortLink === 'string' &&
          /^https?:\/\//.test(body.shortLink) &&
          this._checkout === checkout
        )
          this._link = body.shortLink;
      })
      .catch(() => undefined);
  }

  private download(): void {
    const checkout = this._checkout;
    if (!checkout) return;
    const a = document.createElement('a');
    // The QR from the same path the card renders.
    a.href = cardPng(checkout.data, (g, x, y, size) => {
      const scale = size / checkout.modules.length;
      g.setTransform(scale, 0, 0, scale, x, y);
      g.fillStyle = '#000';
      g.fill(new Path2D(qrPath(checkout.modules)));
    });
    a.download = cardFileName(checkout.data, checkout.md5);
    a.click();
  }

  protected override updated(): void {
    // Set through the CSSOM, which a strict CSP allows (a style attribute it would block).
    const bar = this.renderRoot.querySelector<HTMLElement>('.khqr-bar>span');
    const checkout = this._checkout;
    if (!bar || !checkout) return;
    const terminal = TERMINAL.includes(this._snapshot?.state ?? 'pending');
    const lifetime = (checkout.data.expiresAt as number) - (checkout.data.createdAt as number);
    bar.style.transform = `scaleX(${terminal ? 0 : Math.max(0, Math.min(1, this.remaining() / lifetime))})`;
  }

  protected override render() {
    const strings = stringsFor(this.lang);
    const theme = this.theme === 'dark' ? 'dark' : 'light';
    if (this._problem?.kind === 'config' && !this._checkout) {
      return html`<div class="khqr" data-theme=${theme}><p class="khqr-error" part="error" role="alert">${strings.invalid}: ${this._problem.message}</p></div>`;
    }
    const checkout = this._checkout;
    if (!checkout) return nothing;
    const { data } = checkout;
    const snapshot = this._snapshot;
    const state = snapshot?.state ?? 'pending';
    const money = formatMoney(data.amount ?? '0', data.currency);
    const remaining = this.remaining();
    const terminal = TERMINAL.includes(state);
    // Refused by the proxy: nothing here can be paid or checked any more.
    const refused = Boolean(this._problem);
    const grace = !terminal && !refused && remaining <= 0;
    // What the card says is said once, in the card; below it only what went wrong and why.
    const statusText = snapshot?.problem
      ? strings.problem(snapshot.problem)
      : refused
        ? (this._problem as KhqrErrorDetail).message
        : terminal
          ? (this._renewError ?? '')
          : snapshot?.reconnecting
            ? strings.reconnecting
            : snapshot?.delayed
              ? strings.delayed
              : grace
                ? ''
                : strings.waiting;
    const size = checkout.modules.length;
    return html`
      <div class="khqr" data-theme=${theme} data-state=${state} ?data-reconnecting=${snapshot?.reconnecting ?? false} ?data-grace=${grace} ?data-refused=${refused}><div class="khqr-card" part="card"><div class="khqr-header" part="header" aria-hidden="true">KHQR</div><div class="khqr-corner" aria-hidden="true"></div><div class="khqr-body"><p class="khqr-name" part="name">${data.merchantName}</p><p class="khqr-amount" part="amount"><span class="khqr-value">${money}</span><span class="khqr-currency">${data.currency}</span></p><hr class="khqr-rule" /><div class="khqr-qr" part="qr"><svg viewBox="0 0 ${size} ${size}" role="img" aria-label=${strings.qrLabel(data.merchantName, `${money} ${data.currency}`)} shape-rendering="crispEdges"><path fill="currentColor" d=${qrPath(checkout.modules)}></path></svg><div class="khqr-mark" aria-hidden="true">${CURRENCY_MARK[data.currency]}</div>${
        terminal
          ? html`<div class="khqr-overlay"><span class="khqr-tick" aria-hidden="true">${state === 'paid' ? '✓' : '!'}</span><span>${strings[state as 'paid']}</span>${
              state === 'paid'
                ? html`<dl class="khqr-receipt" part="receipt"><div><dt>${strings.paidOn}</dt><dd>${formatPaidAt(snapshot?.paidAt ?? this._now, this.lang)}</dd></div><div><dt>${strings.reference}</dt><dd>${receiptReference(data, checkout.md5)}</dd></div></dl>`
                : nothing
            }</div>`
          : grace || refused
            ? html`<div class="khqr-overlay">${refused ? html`<span class="khqr-tick" aria-hidden="true">!</span>` : nothing}<span>${refused ? strings.invalid : strings.lastChecks}</span></div>`
            : nothing
      }</div><div class="khqr-timer" part="timer" role="timer" aria-label=${strings.expiresIn}><span>${strings.expiresIn}</span><span class="khqr-time">${formatCountdown(terminal ? 0 : remaining)}</span></div><div class="khqr-bar" aria-hidden="true"><span></span></div></div></div><p class="khqr-status" part="status" aria-hidden="true">${statusText}</p><p class="khqr-sr" role="status" aria-live="polite">${this._announcement}</p><div class="khqr-actions" part="actions">${
        (state === 'expired' || state === 'failed') && (checkout.generated || this.renewEndpoint)
          ? html`<button type="button" class="khqr-primary" ?disabled=${this._renewing} @click=${() => this.refresh()}>${strings.newQr}</button>`
          : nothing
      }${state === 'paid' && this.querySelector(':scope>[slot="continue"]') ? html`<div class="khqr-continue"><slot name="continue"></slot></div>` : nothing}${
        state === 'pending' && !refused
          ? html`<button type="button" @click=${() => this.check()}>${strings.checkNow}</button>${remaining > 0 ? html`<button type="button" @click=${() => this.download()}>${strings.download}</button>${this._link ? html`<a class="khqr-primary" href=${this._link} rel="noopener">${strings.openInApp}</a>` : nothing}` : nothing}`
          : nothing
      }</div></div>
    `;
  }
}
