import { fromMinorUnits, type KhqrCurrency } from '@khqr-checkout/khqr';
import { KhqrCheckout, useKhqrCheckout } from '@khqr-checkout/react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, money, type Order, orderLines, type Product } from './api.ts';
import { ProductPicture } from './ProductPicture.tsx';
import {
  applyTheme,
  LANG_KEY,
  type Lang,
  storedLang,
  storedTheme,
  THEME_KEY,
  type Theme,
  write,
} from './preferences.ts';

/** A tiny router: the path, and a way to change it. */
function usePath(): [string, (to: string) => void] {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return [
    path,
    (to) => {
      history.pushState(null, '', to);
      setPath(to);
    },
  ];
}

/** The card's language and the page's theme, kept in localStorage and shared between tabs. */
function usePreferences() {
  const [lang, setLang] = useState<Lang>(storedLang);
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === LANG_KEY) setLang(storedLang());
      if (e.key === THEME_KEY) setTheme(storedTheme());
    };
    addEventListener('storage', onStorage);
    return () => removeEventListener('storage', onStorage);
  }, []);
  return {
    lang,
    theme,
    chooseLang(next: Lang) {
      setLang(next);
      write(LANG_KEY, next);
    },
    chooseTheme(next: Theme) {
      setTheme(next);
      write(THEME_KEY, next);
    },
  };
}

type Cart = Record<string, number>;
type Go = (to: string) => void;

/** A same-app link: the router, not a page load. */
function Link({ to, go, children }: { to: string; go: Go; children: React.ReactNode }) {
  return (
    <a
      href={to}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}

/** The shop's mark: a shopping bag drawn inline, so it shows without an emoji font. */
function BrandMark() {
  return (
    <svg className="mark" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <rect width="24" height="24" rx="6" fill="#fff" />
      <path d="M6.5 9h11l-.9 10.5H7.4z" fill="#b3261e" />
      <path d="M9.5 9V7.5a2.5 2.5 0 0 1 5 0V9" fill="none" stroke="#b3261e" strokeWidth="1.6" />
    </svg>
  );
}

/** A row of buttons of which one is chosen (aria-pressed). */
function Choice<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: ReadonlyArray<{ value: T; text: string; lang?: string }>;
  value: T;
  onChange(next: T): void;
}) {
  return (
    <fieldset className="choice">
      <legend>{label}</legend>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          lang={o.lang}
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
        >
          {o.text}
        </button>
      ))}
    </fieldset>
  );
}

export function App() {
  const [path, go] = usePath();
  const { lang, theme, chooseLang, chooseTheme } = usePreferences();
  const [cart, setCart] = useState<Cart>(
    () => JSON.parse(localStorage.getItem('cart') ?? '{}') as Cart,
  );
  const [currency, setCurrency] = useState<KhqrCurrency>('KHR');
  useEffect(() => localStorage.setItem('cart', JSON.stringify(cart)), [cart]);
  const [pathname, search] = path.split('?');
  const checkout = /^\/checkout\/([\w-]+)$/.exec(pathname ?? '');
  const order = /^\/orders\/([\w-]+)$/.exec(pathname ?? '');
  return (
    <>
      <header className="site-header">
        <div className="bar">
          <a
            className="brand"
            href="/"
            onClick={(e) => {
              e.preventDefault();
              go('/');
            }}
          >
            <BrandMark />
            Phsar Khmer
          </a>
          <nav aria-label="Shop">
            <Link to="/orders" go={go}>
              Orders
            </Link>
            <a href="/plain.html">Plain HTML page</a>
          </nav>
          <div className="preferences">
            <Choice
              label="Language"
              value={lang}
              onChange={chooseLang}
              options={[
                { value: 'en', text: 'English', lang: 'en' },
                { value: 'km', text: 'ខ្មែរ', lang: 'km' },
              ]}
            />
            <Choice
              label="Theme"
              value={theme}
              onChange={chooseTheme}
              options={[
                { value: 'light', text: 'Light' },
                { value: 'dark', text: 'Dark' },
              ]}
            />
          </div>
        </div>
      </header>
      <main>
        {checkout ? (
          <CheckoutPage
            // A new page for the other mode: nothing said about one QR stays for the next.
            key={`${checkout[1]}:${new URLSearchParams(search).get('mode')}`}
            id={checkout[1] as string}
            browser={new URLSearchParams(search).get('mode') === 'browser'}
            go={go}
            lang={lang}
            theme={theme}
          />
        ) : order ? (
          <OrderPage id={order[1] as string} />
        ) : pathname === '/orders' ? (
          <OrdersPage go={go} />
        ) : (
          <Shop
            cart={cart}
            setCart={setCart}
            currency={currency}
            setCurrency={setCurrency}
            go={go}
          />
        )}
      </main>
    </>
  );
}

function Shop({
  cart,
  setCart,
  currency,
  setCurrency,
  go,
}: {
  cart: Cart;
  setCart(c: Cart): void;
  currency: KhqrCurrency;
  setCurrency(c: KhqrCurrency): void;
  go: Go;
}) {
  const products = useQuery({ queryKey: ['products'], queryFn: api.products });
  const items = Object.entries(cart)
    .filter(([, qty]) => qty > 0)
    .map(([id, qty]) => ({ id, qty }));
  const price = (p: { priceKhr: number; priceUsdCents: number }) =>
    currency === 'KHR' ? p.priceKhr : p.priceUsdCents;
  const totalMinor = items.reduce(
    (sum, i) =>
      sum +
      i.qty * price(products.data?.find((p) => p.id === i.id) ?? { priceKhr: 0, priceUsdCents: 0 }),
    0,
  );
  const place = useMutation({
    mutationFn: () => api.createOrder(items, currency),
    onSuccess: (order) => {
      setCart({});
      go(`/checkout/${order.id}`);
    },
  });
  return (
    <>
      <div className="row shop-title">
        <h1>Cambodian goods</h1>
        <div className="row pay-in">
          <span className="muted">Pay in</span>
          {(['KHR', 'USD'] as const).map((c) => (
            <button
              key={c}
              type="button"
              className={c === currency ? '' : 'secondary'}
              aria-pressed={c === currency}
              onClick={() => setCurrency(c)}
            >
              {c === 'KHR' ? 'Riel ៛' : 'Dollars $'}
            </button>
          ))}
        </div>
      </div>
      {products.error ? (
        <p role="alert">The products could not be loaded: {products.error.message}</p>
      ) : null}
      <div className="grid">
        {products.data?.map((p) => (
          <article className="product" key={p.id} aria-labelledby={`product-${p.id}`}>
            <ProductPicture product={p} />
            <h3 id={`product-${p.id}`}>{p.name}</h3>
            <p className="muted name-km" lang="km">
              {p.nameKm}
            </p>
            <div className="buy">
              <p className="price">{money(price(p), currency)}</p>
              <button
                type="button"
                onClick={() => setCart({ ...cart, [p.id]: (cart[p.id] ?? 0) + 1 })}
              >
                Add to cart{cart[p.id] ? ` (${cart[p.id]})` : ''}
              </button>
            </div>
          </article>
        ))}
      </div>
      <section className="panel cart" aria-label="Cart">
        <h2>Cart</h2>
        {items.length === 0 ? (
          <p className="muted">Your cart is empty.</p>
        ) : (
          <>
            {products.data ? (
              <ul className="lines">
                {orderLines({ kind: 'order', items }, products.data).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ) : null}
            <div className="row">
              <span>
                {items.reduce((n, i) => n + i.qty, 0)} items ·{' '}
                <strong>{money(totalMinor, currency)}</strong>
              </span>
              <button type="button" disabled={place.isPending} onClick={() => place.mutate()}>
                Pay with KHQR
              </button>
              <button type="button" className="secondary" onClick={() => setCart({})}>
                Empty cart
              </button>
            </div>
          </>
        )}
        {place.error ? <p role="alert">{place.error.message}</p> : null}
      </section>
    </>
  );
}

/** What the card last reported for the QR on show, said in the shop's words. */
type Outcome = 'paid' | 'failed' | 'expired' | null;

function CheckoutPage({
  id,
  browser,
  go,
  lang,
  theme,
}: {
  id: string;
  browser: boolean;
  go: Go;
  lang: Lang;
  theme: Theme;
}) {
  const order = useQuery({ queryKey: ['order', id], queryFn: () => api.order(id) });
  // The order's open checkout from the shop's endpoint (a reload gets the same QR back), and a
  // new one when the card's "New QR" asks: react-query, through the card's own hook.
  // A paid order needs no QR: its page says so (a reload after paying lands here).
  const paid = order.data?.status === 'paid';
  const checkout = useKhqrCheckout({
    endpoint: `/api/orders/${id}/checkout`,
    enabled: !browser && order.data !== undefined && !paid,
  });
  const config = useQuery({ queryKey: ['config'], queryFn: api.config });
  const products = useQuery({ queryKey: ['products'], queryFn: api.products });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const o = order.data;
  if (order.error) return <p role="alert">{order.error.message}</p>;
  if (!o || !config.data) return <p>Loading…</p>;
  const amount = fromMinorUnits(o.totalMinor, o.currency);
  const callbacks = {
    endpoint: '/api/khqr/check',
    lang,
    theme,
    onSuccess: () => setOutcome('paid'),
    onFailed: () => setOutcome('failed'),
    onExpired: () => setOutcome('expired'),
    continueSlot: (
      <Link to={`/orders/${id}`} go={go}>
        See your order
      </Link>
    ),
  };
  const other = browser ? `/checkout/${o.id}` : `/checkout/${o.id}?mode=browser`;
  return (
    <div className="checkout">
      {/* Any button in the card (its "New QR") starts over: what was said of the last QR goes. */}
      <div
        className="card-slot"
        lang={lang}
        onClickCapture={(e) => {
          if ((e.target as Element).closest('button'))
            setOutcome((was) => (was === 'paid' ? was : null));
        }}
      >
        {paid && outcome !== 'paid' ? (
          <p role="status" className="notice ok">
            This order is paid.{' '}
            <Link to={`/orders/${id}`} go={go}>
              See your order
            </Link>
          </p>
        ) : browser ? (
          <KhqrCheckout
            bakongAccountId={config.data.merchantAccount}
            merchantName={config.data.merchantName}
            amount={amount}
            currency={o.currency}
            billNumber={o.id}
            {...callbacks}
          />
        ) : checkout.qr ? (
          <KhqrCheckout
            qr={checkout.qr}
            {...callbacks}
            onRefresh={() => {
              setOutcome(null);
              checkout.renew();
            }}
          />
        ) : checkout.error ? (
          <p role="alert" className="notice bad">
            The QR could not be made: {checkout.error.message}
          </p>
        ) : null}
      </div>
      <div className="checkout-side">
        {/* First beside the card, and right under it on a phone: seen without scrolling. */}
        {outcome === 'paid' ? (
          <p role="status" className="notice ok">
            Thank you! Payment received. Your order is on its way.
          </p>
        ) : outcome === 'failed' ? (
          <div role="alert" className="notice bad">
            <p>
              <strong>The payment did not go through.</strong> No money was taken.
            </p>
            <p>Get a new QR with the button under the card, then scan it to try again.</p>
          </div>
        ) : outcome === 'expired' ? (
          <div role="alert" className="notice bad">
            <p>
              <strong>This QR expired before a payment arrived.</strong> Get a new QR with the
              button under the card to pay.
            </p>
            <p>
              Paid just before it expired? The payment still counts:{' '}
              <Link to={`/orders/${o.id}`} go={go}>
                see your order
              </Link>
              .
            </p>
          </div>
        ) : null}
        {checkout.renewError ? (
          <p role="alert" className="notice bad">
            A new QR could not be made: {checkout.renewError.message}
          </p>
        ) : null}
        <section className="panel" aria-labelledby="order-title">
          <h1 id="order-title">Order {o.id}</h1>
          {products.data ? (
            <ul className="lines" aria-label="Items">
              {orderLines(o, products.data).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
          <p>
            Total <strong>{money(o.totalMinor, o.currency)}</strong>.{' '}
            {paid || outcome === 'paid'
              ? 'Paid: nothing more to scan.'
              : 'Scan the KHQR with any Bakong member bank app.'}
          </p>
        </section>
        {paid || outcome === 'paid' ? null : (
          <aside className="demo" aria-labelledby="demo-title">
            <h2 id="demo-title">Demo controls (not part of a real shop)</h2>
            {config.data.bankAppUrl ? (
              <p>
                Pay or fail this QR in the{' '}
                <a href={config.data.bankAppUrl} target="_blank" rel="noreferrer">
                  sandbox bank app
                </a>
                , a pretend bank: no real money moves.
              </p>
            ) : null}
            <p>
              {browser
                ? 'This page made the QR in the browser; the proxy validated it on the first check. '
                : 'The server made this QR for the order (the secure default). '}
              <Link to={other} go={go}>
                {browser ? 'Use the server-made QR' : 'Make the QR in the browser instead'}
              </Link>
            </p>
          </aside>
        )}
      </div>
    </div>
  );
}

function OrderPage({ id }: { id: string }) {
  const order = useQuery({
    queryKey: ['order', id],
    queryFn: () => api.order(id),
    refetchInterval: (q) => (q.state.data?.status === 'paid' ? false : 2000),
  });
  const products = useQuery({ queryKey: ['products'], queryFn: api.products });
  const o = order.data;
  if (order.error) return <p role="alert">{order.error.message}</p>;
  if (!o) return <p>Loading…</p>;
  return <OrderSummary order={o} products={products.data} />;
}

const statusText = (order: Order) => (order.status === 'paid' ? 'Paid' : 'Awaiting payment');

function OrderSummary({ order, products }: { order: Order; products: Product[] | undefined }) {
  return (
    <section className="panel">
      <h1>Order {order.id}</h1>
      <p>
        Status (as the server knows it):{' '}
        <span className={`status-${order.status}`} data-testid="order-status">
          {statusText(order)}
        </span>
      </p>
      {products ? (
        <ul className="lines" aria-label="Items">
          {orderLines(order, products).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
      <p>
        Total <strong>{money(order.totalMinor, order.currency)}</strong>
      </p>
      {order.paidAt ? (
        <p className="muted">Paid at {new Date(order.paidAt).toLocaleString()}</p>
      ) : null}
    </section>
  );
}

function OrdersPage({ go }: { go: Go }) {
  const orders = useQuery({ queryKey: ['orders'], queryFn: api.orders, refetchInterval: 3000 });
  const products = useQuery({ queryKey: ['products'], queryFn: api.products });
  return (
    <>
      <h1>Orders</h1>
      {orders.data?.length === 0 ? <p className="muted">No orders yet.</p> : null}
      <table className="orders">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Items</th>
            <th scope="col">Total</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {orders.data?.map((o) => (
            <tr key={o.id}>
              <td>
                <Link to={`/orders/${o.id}`} go={go}>
                  {o.id}
                </Link>
              </td>
              <td className="items">
                {products.data ? orderLines(o, products.data).join('; ') : null}
              </td>
              <td>{money(o.totalMinor, o.currency)}</td>
              <td className={`status-${o.status}`}>{statusText(o)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
