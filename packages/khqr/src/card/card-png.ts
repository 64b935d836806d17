import type { KhqrData } from '../decode.ts';
import { CURRENCY_MARK, formatMoney } from './format.ts';

/** Draws the QR into the square at (x, y), `size` px wide, on the card's canvas. */
export type DrawQr = (g: CanvasRenderingContext2D, x: number, y: number, size: number) => void;

/**
 * The card as a 600 × 870 PNG data URL, for the "download QR" action: header, merchant, amount,
 * the QR (480 px, drawn by `drawQr`) and the currency mark over its centre. Browser only.
 */
export function cardPng(data: KhqrData, drawQr: DrawQr): string {
  const canvas = document.createElement('canvas');
  canvas.width = 600;
  canvas.height = 870;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  const text = (
    value: string,
    x: number,
    y: number,
    size: number,
    color: string,
    align: CanvasTextAlign = 'left',
  ) => {
    g.font = `800 ${size}px system-ui,"Noto Sans Khmer","Khmer OS",sans-serif`;
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
  drawQr(g, 60, 325, 480);
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

/** The downloaded file's name: `khqr-<merchant>-<first 8 of md5>.png`. */
export const cardFileName = (data: KhqrData, md5: string): string =>
  `khqr-${data.merchantName.replace(/[^\w-]+/g, '-')}-${md5.slice(0, 8)}.png`;
