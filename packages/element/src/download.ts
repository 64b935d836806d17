import type { KhqrData } from '@khqr-checkout/khqr';
import { CURRENCY_MARK, formatMoney, qrPath } from '@khqr-checkout/khqr/card';

/** Draws the card (header, name, amount, QR with its mark) on a canvas; returns a PNG data URL. */
export function cardPng(modules: readonly (readonly boolean[])[], data: KhqrData): string {
  const canvas = document.createElement('canvas');
  canvas.width = 600;
  canvas.height = 870;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  const font = 'system-ui,"Noto Sans Khmer","Khmer OS",sans-serif';
  const text = (
    value: string,
    x: number,
    y: number,
    size: number,
    color: string,
    align: CanvasTextAlign = 'left',
  ) => {
    g.font = `800 ${size}px ${font}`;
    g.fillStyle = color;
    g.textAlign = align;
    g.fillText(value, x, y);
  };
  g.fillStyle = '#fff';
  g.fillRect(0, 0, 600, 870);
  g.fillStyle = '#e1232e';
  g.fillRect(0, 0, 600, 104);
  text('KHQR', 300, 74, 62, '#fff', 'center');
  text(data.merchantName, 60, 175, 26, '#1d1d1d');
  text(
    `${formatMoney(data.amount ?? '0', data.currency)} ${data.currency}`,
    60,
    245,
    52,
    '#1d1d1d',
  );
  // The QR from the same path the card renders, 480 px wide under the amount.
  const scale = 480 / modules.length;
  g.setTransform(scale, 0, 0, scale, 60, 325);
  g.fillStyle = '#000';
  g.fill(new Path2D(qrPath(modules)));
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.beginPath();
  g.arc(300, 565, 38, 0, 7);
  g.fillStyle = '#1d1d1d';
  g.fill();
  g.lineWidth = 8;
  g.strokeStyle = '#fff';
  g.stroke();
  g.textBaseline = 'middle';
  text(CURRENCY_MARK[data.currency], 300, 567, 38, '#fff', 'center');
  return canvas.toDataURL('image/png');
}
