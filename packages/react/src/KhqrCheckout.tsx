import {
  generateKhqr,
  type KhqrCurrency,
  type KhqrData,
  khqrMd5,
  verifyKhqr,
} from '@khqr-checkout/khqr';
import {
  CARD_CSS,
  CURRENCY_MARK,
  cardFileName,
  cardPng,
  formatCountdown,
  formatMoney,
  formatPaidAt,
  receiptReference,
  stringsFor,
} from '@khqr-checkout/khqr/card';
import {
  checkoutInput,
  keepQr,
  keptQr,
  type PollPolicy,
  requestCheckout,
  type SessionState,
} from '@khqr-checkout/khqr/session';
import type { QueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useKhqrPayment } from './useKhqrPayment.ts';

/** What the callbacks receive: the same `detail` as the element's events. */
export interface KhqrCheckoutDetail {
  md5: string;
  amount: string;
  currency: KhqrCurrency;
  state: SessionState;
  expiresAt: number;
}

/** The props of {@link KhqrCheckout}: the element's attributes in camelCase, and callbacks. */
export interface KhqrCheckoutProps {
  /** A KHQR made by the merchant's server (the secure default). */
  qr?: string | undefined;
  bakongAccountId?: string | undefined;
  merchantName?: string | undefined;
  merchantCity?: string | undefined;
  amount?: number | string | undefined;
  currency?: KhqrCurrency | undefined;
  billNumber?: string | undefined;
  storeLabel?: string | undefined;
  terminalLabel?: string | undefined;
  mobileNumber?: string | undefined;
  purpose?: string | undefined;
  merchantId?: string | undefined;
  acquiringBank?: string | undefined;
  /** Seconds, ≤ 600. @default 300 */
  lifetime?: number | undefined;
  /** The proxy's check URL; without it the card shows but nothing is checked. */
  endpoint?: string | undefined;
  deeplinkEndpoint?: string | undefined;
  /**
   * The merchant's URL for a new QR of a server-made checkout: "New QR" posts `{md5}` (the old
   * QR's) and shows the `qr` (or `checkout.qr`) it answers. A server-made QR with neither this
   * nor `onRefresh` has no "New QR" button.
   */
  renewEndpoint?: string | undefined;
  /** Shown under the card once paid (the element's `continue` slot), e.g. a link to the order. */
  continueSlot?: React.ReactNode | undefined;
  /** @default 'km' */
  lang?: 'km' | 'en' | undefined;
  /** @default 'light' */
  theme?: 'light' | 'dark' | undefined;
  /** Paid — for the UI only: fulfil orders in the proxy's onPaid. */
  onSuccess?: ((detail: KhqrCheckoutDetail) => void) | undefined;
  onFailed?: ((detail: KhqrCheckoutDetail) => void) | undefined;
  onExpired?: ((detail: KhqrCheckoutDetail) => void) | undefined;
  onStatusChange?: ((detail: KhqrCheckoutDetail) => void) | undefined;
  onError?:
    | ((error: {
        kind: 'config' | 'transport';
        code: string;
        message: string;
        md5: string | null;
      }) => void)
    | undefined;
  /**
   * "New QR" on a server QR. Without `renewEndpoint`, the page sets a new `qr`; with it, the
   * card asks that endpoint too.
   */
  onRefresh?: ((detail: KhqrCheckoutDetail) => void) | undefined;
  pollPolicy?: Partial<PollPolicy> | undefined;
  queryClient?: QueryClient | undefined;
  /** For a strict CSP: the nonce of the card's <style>. */
  nonce?: string | undefined;
  className?: string | undefined;
}

const TERMINAL = ['paid', 'failed', 'expired'];

/**
 * The KHQR card in React: the same look, strings, states and actions as `<khqr-checkout>`,
 * rendered natively (the QR with qrcode.react as SVG), so server rendering includes it.
 * @example <KhqrCheckout qr={checkout.qr} endpoint="/api/khqr/check" onSuccess={() => router.push('/thanks')} />
 */
export function KhqrCheckout(props: KhqrCheckoutProps) {
  const [generation, setGeneration] = useState(0);
  const inputKey = props.qr ? '' : JSON.stringify(checkoutInput(props));
  // A QR made here is kept for a reload of the tab (the customer may have paid it: a new one
  // would invite paying twice); "new QR" (a new generation) mints and keeps another.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialized fields are the dependency.
  const generated = useMemo((): { khqr: { qr: string } | null; error: Error | null } => {
    if (props.qr) return { khqr: null, error: null };
    try {
      const kept = generation === 0 && typeof window !== 'undefined' ? keptQr(props) : null;
      if (kept) return { khqr: { qr: kept }, error: null };
      const made = generateKhqr({
        ...checkoutInput(props),
        ...(generation ? { now: Date.now() } : {}),
      });
      if (typeof window !== 'undefined' && made.expiresAt !== null)
        keepQr(props, made.qr, made.expiresAt);
      return { khqr: made, error: null };
    } catch (error) {
      return { khqr: null, error: error as Error };
    }
  }, [inputKey, generation, props.qr]);
  // A QR "New QR" got from renewEndpoint replaces the server QR it renewed, until the page
  // gives another `qr`.
  const [renewed, setRenewed] = useState<{ from: string; qr: string } | null>(null);
  const [renewing, setRenewing] = useState(false);
  const [renewError, setRenewError] = useState<string | null>(null);
  const serverQr = props.qr && renewed?.from === props.qr ? renewed.qr : props.qr;
  const qr = serverQr ?? generated.khqr?.qr ?? null;
  const checked = useMemo(() => {
    if (!qr) return { data: null, error: generated.error };
    const verification = verifyKhqr(qr, { ignoreExpiry: true });
    if (!verification.valid) return { data: null, error: verification.error };
    if (!verification.data.dynamic)
      return {
        data: null,
        error: new Error('A static KHQR cannot be watched: it has no amount and no expiry.'),
      };
    return { data: verification.data, error: null };
  }, [qr, generated.error]);
  const callbacks = useRef(props);
  callbacks.current = props;
  const strings = stringsFor(props.lang);
  const theme = props.theme === 'dark' ? 'dark' : 'light';

  const errorMessage = checked.error?.message;
  useEffect(() => {
    if (errorMessage)
      callbacks.current.onError?.({
        kind: 'config',
        code: (checked.error as { code?: number }).code?.toString() ?? 'invalid',
        message: errorMessage,
        md5: null,
      });
  }, [errorMessage, checked.error]);

  const style = <style nonce={props.nonce}>{CARD_CSS}</style>;
  if (!checked.data || !qr) {
    return (
      <div className={`khqr ${props.className ?? ''}`} data-theme={theme}>
        {style}
        {checked.error ? (
          <p className="khqr-error" role="alert">
            {strings.invalid}: {checked.error.message}
          </p>
        ) : null}
      </div>
    );
  }
  const renew = (state: SessionState) => {
    const md5 = khqrMd5(qr);
    callbacks.current.onRefresh?.(detailOf(checked.data as KhqrData, md5, state));
    const from = props.qr;
    if (!props.renewEndpoint || !from || renewing) return;
    setRenewing(true);
    setRenewError(null);
    requestCheckout(props.renewEndpoint, { md5 })
      .then((next) => setRenewed({ from, qr: next }))
      .catch((error: Error) => setRenewError(`${strings.renewFailed} (${error.message})`))
      .finally(() => setRenewing(false));
  };
  return (
    <Card
      key={qr}
      qr={qr}
      data={checked.data}
      generated={!props.qr}
      props={props}
      callbacks={callbacks}
      style={style}
      theme={theme}
      renewing={renewing}
      renewError={renewError}
      onNewQr={
        !props.qr
          ? () => setGeneration((g) => g + 1)
          : props.renewEndpoint || props.onRefresh
            ? renew
            : null
      }
    />
  );
}

function detailOf(data: KhqrData, md5: string, state: SessionState): KhqrCheckoutDetail {
  return {
    md5,
    amount: data.amount ?? '',
    currency: data.currency,
    state,
    expiresAt: data.expiresAt as number,
  };
}

interface CardProps {
  qr: string;
  data: KhqrData;
  generated: boolean;
  props: KhqrCheckoutProps;
  callbacks: { current: KhqrCheckoutProps };
  style: React.ReactNode;
  theme: string;
  renewing: boolean;
  renewError: string | null;
  /** "New QR" (with the state it was pressed in), or null when this card cannot get one. */
  onNewQr: ((state: SessionState) => void) | null;
}

function Card({
  qr,
  data,
  generated,
  props,
  callbacks,
  style,
  theme,
  renewing,
  renewError,
  onNewQr,
}: CardProps) {
  const md5 = useMemo(() => khqrMd5(qr), [qr]);
  const strings = stringsFor(props.lang);
  const payment = useKhqrPayment({
    md5,
    expiresAt: data.expiresAt as number,
    endpoint: props.endpoint ?? '',
    enabled: Boolean(props.endpoint),
    qr: generated ? qr : undefined,
    policy: props.pollPolicy,
    queryClient: props.queryClient,
  });
  const { state, reconnecting, remainingMs, error, problem } = payment;
  const detail = detailOf(data, md5, state);
  const previous = useRef<{
    state: SessionState;
    reconnecting: boolean;
    error: boolean;
    problem: unknown;
  } | null>(null);
  const [link, setLink] = useState<string | null>(null);
  // Terminal callbacks fire at most once per card and QR (a ref survives StrictMode's double
  // mount); another card of the same QR tells its own page too, as the element does.
  const fired = useRef(new Set<string>());
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    const before = previous.current;
    previous.current = { state, reconnecting, error: Boolean(error), problem };
    const c = callbacks.current;
    if (before && before.state !== state) c.onStatusChange?.(detail);
    if (TERMINAL.includes(state) && !fired.current.has(`${md5}:${state}`)) {
      fired.current.add(`${md5}:${state}`);
      setAnnouncement(strings[state as 'paid']);
      (state === 'paid' ? c.onSuccess : state === 'failed' ? c.onFailed : c.onExpired)?.(detail);
    }
    if (reconnecting && !before?.reconnecting) {
      setAnnouncement(strings.reconnecting);
      c.onError?.({
        kind: 'transport',
        code: 'reconnecting',
        message: 'Payment checks are failing; retrying.',
        md5,
      });
    }
    if (problem && problem !== before?.problem) {
      setAnnouncement(strings.problem(problem));
      if (problem.kind === 'unreachable')
        c.onError?.({ kind: 'transport', code: problem.kind, message: problem.detail, md5 });
    }
    if (error && !before?.error)
      c.onError?.({ kind: 'config', code: error.code, message: error.message, md5 });
  });

  // The deep link, on touch screens, once the proxy knows the QR (after the first answer).
  const known = payment.answered;
  useEffect(() => {
    const url = props.deeplinkEndpoint ?? props.endpoint?.replace(/\/check(\?.*)?$/, '/deeplink$1');
    if (
      !known ||
      !url ||
      typeof matchMedia !== 'function' ||
      !matchMedia('(pointer: coarse)').matches
    )
      return;
    let live = true;
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ md5 }),
    })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { shortLink?: unknown } | null) => {
        if (live && typeof body?.shortLink === 'string' && /^https?:\/\//.test(body.shortLink))
          setLink(body.shortLink);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [known, md5, props.deeplinkEndpoint, props.endpoint]);

  const svg = useRef<SVGSVGElement>(null);
  const money = formatMoney(data.amount ?? '0', data.currency);
  const terminal = TERMINAL.includes(state);
  const lifetime = (data.expiresAt as number) - (data.createdAt as number);
  // Refused by the proxy: nothing here can be paid or checked any more.
  const refused = Boolean(error);
  const grace = !terminal && !refused && remainingMs <= 0;
  // What the card says is said once, in the card; below it only what went wrong and why.
  const statusText = problem
    ? strings.problem(problem)
    : error
      ? error.message
      : terminal
        ? (renewError ?? '')
        : reconnecting
          ? strings.reconnecting
          : payment.delayed
            ? strings.delayed
            : grace
              ? ''
              : strings.waiting;

  return (
    <div
      className={`khqr ${props.className ?? ''}`}
      data-theme={theme}
      data-state={state}
      data-reconnecting={reconnecting || undefined}
      // Past expiry, before the verdict: the bank refuses the QR, so it is covered.
      data-grace={grace || undefined}
      data-refused={refused || undefined}
    >
      {style}
      <div className="khqr-card">
        <div className="khqr-header" aria-hidden="true">
          KHQR
        </div>
        <div className="khqr-corner" aria-hidden="true" />
        <div className="khqr-body">
          <p className="khqr-name">{data.merchantName}</p>
          <p className="khqr-amount">
            <span className="khqr-value">{money}</span>
            <span className="khqr-currency">{data.currency}</span>
          </p>
          <hr className="khqr-rule" />
          <div className="khqr-qr">
            <QRCodeSVG
              ref={svg}
              value={qr}
              level="Q"
              marginSize={0}
              // Modules in the card's QR colour; the background is the card's (or, dark, the
              // white tile's): no painted square for a stylesheet to turn black.
              fgColor="currentColor"
              bgColor="transparent"
              role="img"
              aria-label={strings.qrLabel(data.merchantName, `${money} ${data.currency}`)}
            />
            <div className="khqr-mark" aria-hidden="true">
              {CURRENCY_MARK[data.currency]}
            </div>
            {terminal ? (
              <div className="khqr-overlay">
                <span className="khqr-tick" aria-hidden="true">
                  {state === 'paid' ? '✓' : '!'}
                </span>
                <span>{strings[state as 'paid']}</span>
                {state === 'paid' ? (
                  <dl className="khqr-receipt">
                    <div>
                      <dt>{strings.paidOn}</dt>
                      <dd>{formatPaidAt(payment.paidAt ?? Date.now(), props.lang)}</dd>
                    </div>
                    <div>
                      <dt>{strings.reference}</dt>
                      <dd>{receiptReference(data, md5)}</dd>
                    </div>
                  </dl>
                ) : null}
              </div>
            ) : grace || refused ? (
              <div className="khqr-overlay">
                {refused ? (
                  <span className="khqr-tick" aria-hidden="true">
                    !
                  </span>
                ) : null}
                <span>{refused ? strings.invalid : strings.lastChecks}</span>
              </div>
            ) : null}
          </div>
          <div className="khqr-timer" role="timer" aria-label={strings.expiresIn}>
            <span>{strings.expiresIn}</span>
            <span className="khqr-time" suppressHydrationWarning>
              {formatCountdown(terminal ? 0 : remainingMs)}
            </span>
          </div>
          <div className="khqr-bar" aria-hidden="true">
            <span
              style={{
                transform: `scaleX(${terminal ? 0 : Math.max(0, Math.min(1, remainingMs / lifetime))})`,
              }}
              suppressHydrationWarning
            />
          </div>
        </div>
      </div>
      <p className="khqr-status" aria-hidden="true">
        {statusText}
      </p>
      <p className="khqr-sr" role="status" aria-live="polite">
        {announcement}
      </p>
      <div className="khqr-actions">
        {(state === 'expired' || state === 'failed') && onNewQr ? (
          <button
            type="button"
            className="khqr-primary"
            disabled={renewing}
            onClick={() => onNewQr(state)}
          >
            {strings.newQr}
          </button>
        ) : null}
        {state === 'paid' && props.continueSlot ? (
          <div className="khqr-continue">{props.continueSlot}</div>
        ) : null}
        {state === 'pending' && !refused ? (
          <>
            <button type="button" onClick={payment.checkNow}>
              {strings.checkNow}
            </button>
            {remainingMs > 0 ? (
              <>
                <button type="button" onClick={() => void downloadCard(svg.current, data, md5)}>
                  {strings.download}
                </button>
                {link ? (
                  <a className="khqr-primary" href={link} rel="noopener">
                    {strings.openInApp}
                  </a>
                ) : null}
              </>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}

/** Downloads the card as a PNG, with the QR exactly as rendered. */
async function downloadCard(svg: SVGSVGElement | null, data: KhqrData, md5: string): Promise<void> {
  if (!svg) return;
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
  await image.decode();
  const a = document.createElement('a');
  a.href = cardPng(data, (g, x, y, size) => {
    g.imageSmoothingEnabled = false;
    g.drawImage(image, x, y, size, size);
  });
  a.download = cardFileName(data, md5);
  a.click();
}
