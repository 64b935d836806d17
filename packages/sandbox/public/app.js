// The sandbox bank app: lists QRs the sandbox has seen, pays or fails them through the admin API.
const api = '/_sandbox';
const list = document.getElementById('qrs');
const empty = document.getElementById('empty');
const message = document.getElementById('message');
const payer = document.getElementById('payer');
const clear = document.getElementById('clear');
const focusMd5 = new URLSearchParams(location.search).get('md5');

const say = (text) => {
  message.textContent = text;
};

async function call(path, body) {
  const response = await fetch(api + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error ?? `HTTP ${response.status}`);
  return json;
}

function formatAmount(amount, currency) {
  if (amount === null) return '';
  const value = Number(amount);
  return currency === 'KHR'
    ? `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(value)} ៛`
    : `$${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)}`;
}

function remaining(expiresAt, now) {
  const s = Math.max(0, Math.round((expiresAt - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function card(qr, now) {
  const item = element('li', 'qr');
  item.dataset.md5 = qr.md5;
  if (qr.md5 === focusMd5) item.classList.add('highlight');
  const status = qr.status === 'unpaid' && qr.expired ? 'expired' : qr.status;
  const title = element('h3', '', qr.merchantName ?? 'Unknown QR');
  const badge = element('span', `badge ${status}`, status);
  badge.setAttribute('aria-label', `Status: ${status}`);
  item.append(title, badge);
  if (qr.qr === null) {
    item.append(
      element('p', 'meta', `Only its md5 was checked (${qr.md5}). Scan or paste the QR to pay it.`),
    );
  } else {
    item.append(
      element(
        'p',
        'amount',
        qr.dynamic ? formatAmount(qr.amount, qr.currency) : 'Static QR: no amount',
      ),
    );
    // What the merchant wrote in the QR to know the payment again: in a shop, the bill number
    // is the order number.
    const facts = [
      ['Bill / order no.', qr.billNumber],
      ['Store', qr.storeLabel],
      ['Purpose', qr.purpose],
    ].filter(([, value]) => value);
    if (facts.length) {
      const list = element('dl', 'facts');
      for (const [label, value] of facts) {
        const row = element('div');
        row.append(element('dt', '', label), element('dd', '', value));
        list.append(row);
      }
      item.append(list);
    }
    const details = [
      `to ${qr.bakongAccountId}`,
      `md5 ${qr.md5.slice(0, 12)}…`,
      `checked ${qr.checks}×`,
    ];
    if (qr.expiresAt !== null && !qr.expired && qr.status === 'unpaid')
      details.push(`expires in ${remaining(qr.expiresAt, now)}`);
    item.append(element('p', 'meta', details.join(' · ')));
  }
  const actions = element('div', 'actions');
  const canAct = qr.qr !== null && qr.status === 'unpaid' && !qr.expired && qr.dynamic;
  for (const [action, label] of [
    ['pay', 'Pay'],
    ['fail', 'Fail'],
  ]) {
    const button = element('button', '', label);
    button.type = 'button';
    button.dataset.action = action;
    button.disabled = !(canAct || (action === 'pay' && qr.status === 'failed' && !qr.expired));
    button.setAttribute(
      'aria-label',
      `${label} ${qr.merchantName ?? 'QR'} ${formatAmount(qr.amount, qr.currency)}`.trim(),
    );
    actions.append(button);
  }
  item.append(actions);
  return item;
}

/** Makes `li` look like `fresh`, replacing only the children whose markup differs. */
function patch(li, fresh) {
  li.className = fresh.className;
  const old = [...li.children];
  const next = [...fresh.children];
  next.forEach((child, i) => {
    if (!old[i]) li.append(child);
    else if (old[i].outerHTML !== child.outerHTML) old[i].replaceWith(child);
  });
  for (const extra of old.slice(next.length)) extra.remove();
}

let rendering = false;
// Set when the list changed (an action, "Clear list") while a refresh was under way: that
// refresh's answer is old, so it is dropped and another one runs.
let stale = false;
async function refresh() {
  if (rendering) {
    stale = true;
    return;
  }
  rendering = true;
  stale = false;
  try {
    const [qrs, clock] = await Promise.all([call('/qrs'), call('/clock')]);
    if (stale) return;
    // Newest first, in a stable order (checks do not move a QR), and updated in place: only the
    // parts that changed are replaced, so a button under the pointer or the keyboard stays put.
    qrs.sort((a, b) => b.seenAt - a.seenAt);
    const existing = new Map([...list.children].map((li) => [li.dataset.md5, li]));
    let previous = null;
    for (const qr of qrs) {
      const fresh = card(qr, clock.now);
      let li = existing.get(qr.md5);
      existing.delete(qr.md5);
      if (!li) li = fresh;
      else patch(li, fresh);
      if (li.previousElementSibling !== previous || !li.isConnected)
        previous ? previous.after(li) : list.prepend(li);
      previous = li;
    }
    for (const gone of existing.values()) gone.remove();
    empty.hidden = qrs.length > 0;
    clear.disabled = qrs.length === 0;
  } catch (error) {
    say(`Cannot reach the sandbox: ${error.message}`);
  } finally {
    rendering = false;
    if (stale) refresh();
  }
}

clear.addEventListener('click', async () => {
  clear.disabled = true;
  try {
    const { cleared } = await call('/qrs/clear', {});
    say(
      `Cleared ${cleared} QR${cleared === 1 ? '' : 's'} from the list. Payments made stay recorded; a QR scanned again comes back.`,
    );
  } catch (error) {
    say(error.message);
  }
  refresh();
});

list.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const md5 = button.closest('li').dataset.md5;
  button.disabled = true;
  try {
    const body = button.dataset.action === 'pay' ? { md5, payer: payer.value.trim() } : { md5 };
    const result = await call(`/${button.dataset.action}`, body);
    say(
      button.dataset.action === 'pay'
        ? `Paid ${formatAmount(result.amount, result.currency)} to ${result.merchantName}.`
        : `Payment to ${result.merchantName} failed, as asked.`,
    );
  } catch (error) {
    say(error.message);
  }
  refresh();
});

async function addQr(text) {
  try {
    const qr = await call('/qrs', { qr: text.trim() });
    say(
      `Scanned: ${qr.merchantName}, ${qr.dynamic ? formatAmount(qr.amount, qr.currency) : 'static QR'}.`,
    );
    refresh();
  } catch (error) {
    say(error.message);
  }
}

document.getElementById('paste-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = document.getElementById('qr-text').value;
  if (text.trim()) addQr(text);
});

document.getElementById('qr-image').addEventListener('change', async (event) => {
  const file = event.target.files?.[0];
  if (!file) return;
  try {
    const bitmap = await createImageBitmap(file);
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = globalThis.jsQR?.(image.data, image.width, image.height);
    if (!code) throw new Error('No QR code found in that picture.');
    await addQr(code.data);
  } catch (error) {
    say(error.message);
  }
  event.target.value = '';
});

refresh();
setInterval(refresh, 1000);
