import { fromMinorUnits, type KhqrCurrency } from '@khqr-checkout/khqr';
import { KhqrCheckout } from '@khqr-checkout/react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, money, type Order } from './api.ts';

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

type Cart = Record<string, number>;

export function App() {
  const [path, go] = usePath();
  const [cart, setCart] = useState<Cart>(
    () => JSON.parse(localStorage.getItem('cart') ?? '{}') as Cart,
  );
  const [currency, setCurrency] = useState<KhqrCurrency>('KHR');
  useEffect(() => localStorage.setItem('cart', JSON.stringify(cart)), [cart]);
  const link = (to: string) => (e: React.MouseEvent) => {
    e.preventDefault();
    go(to);
  };
  const [pathname, search] = path.split('?');
  const checkout = /^\/checkout\/([\w-]+)$/.exec(pathname ?? '');
  const order = /^\/orders\/([\w-]+)$/.exec(pathname ?? '');
  return (
    <>
      <header>
        <a className="brand" href="/" onClick={link('/')}>
          🛍️ Phsar Khmer
        </a>
        <a href="/orders" onClick={link('/orders')}>
          Orders
        </a>
        <a href="/plain.html">Plain HTML page</a>
      </header>
      <main>
        {checkout ? (
          <CheckoutPage
            id={checkout[1] as string}
            browser={new URLSearchParams(search).get('mode') === 'browser'}
            go={go}
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
  go(to: string): void;
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
      <div className="row">
        <h1>Cambodian goods</h1>
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
      <div className="grid">
        {products.data?.map((p) => (
          <article className="product" key={p.id}>
            <div className="emoji" aria-hidden="true">
              {p.emoji}
            </div>
            <h3>{p.name}</h3>
            <div className="muted" lang="km">
              {p.nameKm}
            </div>
            <p>{money(price(p), currency)}</p>
            <button
              type="button"
              onClick={() => setCart({ ...cart, [p.id]: (cart[p.id] ?? 0) + 1 })}
            >
              Add to cart{cart[p.id] ? ` (${cart[p.id]})` : ''}
            </button>
          </article>
        ))}
      </div>
      <section className="panel" aria-label="Cart" style={{ marginTop: 16 }}>
        <h2>Cart</h2>
        {items.length === 0 ? (
          <p className="muted">Your cart is empty.</p>
        ) : (
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
        )}
        {place.error ? <p role="alert">{place.error.message}</p> : null}
      </section>
    </>
  );
}

function CheckoutPage({ id, browser, go }: { id: string; browser: boolean; go(to: string): void }) {
  const client = useQueryClient();
  const order = useQuery({ queryKey: ['order', id], queryFn: () => api.order(id) });
  const config = useQuery({ queryKey: ['config'], queryFn: api.config });
  const [done, setDone] = useState(false);
  const refresh = useMutation({
    mutationFn: () => api.newCheckout(id),
    onSuccess: (o) => client.setQueryData(['order', id], o),
  });
  const o = order.data;
  if (!o || !config.data) return <p>Loading…</p>;
  const amount = fromMinorUnits(o.totalMinor, o.currency);
  return (
    <div className="checkout">
      {browser ? (
        <KhqrCheckout
          bakongAccountId={config.data.merchantAccount}
          merchantName={config.data.merchantName}
          amount={amount}
          currency={o.currency}
          billNumber={o.id}
          endpoint="/api/khqr/check"
          onSuccess={() => setDone(true)}
        />
      ) : o.checkout ? (
        <KhqrCheckout
          qr={o.checkout.qr}
          endpoint="/api/khqr/check"
          onSuccess={() => setDone(true)}
          onRefresh={() => refresh.mutate()}
        />
      ) : null}
      <section className="panel">
        <h1>Order {o.id}</h1>
        <p>
          Total <strong>{money(o.totalMinor, o.currency)}</strong>. Scan the KHQR with any Bakong
          member bank app.
        </p>
        {config.data.bankAppUrl ? (
          <p>
            Demo: pay it in the{' '}
            <a href={config.data.bankAppUrl} target="_blank" rel="noreferrer">
              sandbox bank app
            </a>
            .
          </p>
        ) : null}
        <p className="muted">
          {browser
            ? 'This page made the QR in the browser; the proxy validated it on the first check. '
            : 'The server made this QR for the order (the secure default). '}
          <a
            href={browser ? `/checkout/${o.id}` : `/checkout/${o.id}?mode=browser`}
            onClick={(e) => {
              e.preventDefault();
              go(browser ? `/checkout/${o.id}` : `/checkout/${o.id}?mode=browser`);
            }}
          >
            {browser ? 'Use the server-made QR' : 'Make the QR in the browser instead'}
          </a>
        </p>
        {done ? (
          <p role="status">
            Thank you! Payment received.{' '}
            <a
              href={`/orders/${o.id}`}
              onClick={(e) => {
                e.preventDefault();
                go(`/orders/${o.id}`);
              }}
            >
              See your order
            </a>
          </p>
        ) : null}
      </section>
    </div>
  );
}

function OrderPage({ id }: { id: string }) {
  const order = useQuery({
    queryKey: ['order', id],
    queryFn: () => api.order(id),
    refetchInterval: (q) => (q.state.data?.status === 'paid' ? false : 2000),
  });
  const o = order.data;
  if (!o) return <p>Loading…</p>;
  return <OrderSummary order={o} />;
}

function OrderSummary({ order }: { order: Order }) {
  return (
    <section className="panel">
      <h1>Order {order.id}</h1>
      <p>
        Status (as the server knows it):{' '}
        <span className={`status-${order.status}`} data-testid="order-status">
          {order.status === 'paid' ? 'Paid' : 'Awaiting payment'}
        </span>
      </p>
      <p>
        {money(order.totalMinor, order.currency)} ·{' '}
        {order.items.map((i) => `${i.qty} × ${i.id}`).join(', ')}
      </p>
      {order.paidAt ? (
        <p className="muted">Paid at {new Date(order.paidAt).toLocaleString()}</p>
      ) : null}
    </section>
  );
}

function OrdersPage({ go }: { go(to: string): void }) {
  const orders = useQuery({ queryKey: ['orders'], queryFn: api.orders, refetchInterval: 3000 });
  return (
    <>
      <h1>Orders</h1>
      <table>
        <thead>
          <tr>
            <th>Order</th>
            <th>Total</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {orders.data?.map((o) => (
            <tr key={o.id}>
              <td>
                <a
                  href={`/orders/${o.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    go(`/orders/${o.id}`);
                  }}
                >
                  {o.id}
                </a>
              </td>
              <td>{money(o.totalMinor, o.currency)}</td>
              <td className={`status-${o.status}`}>
                {o.status === 'paid' ? 'Paid' : 'Awaiting payment'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
