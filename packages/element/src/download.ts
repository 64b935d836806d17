import type { KhqrData } from '@khqr-checkout/khqr';
import { CURRENCY_MARK, formatMoney } from '@khqr-checkout/khqr/card';

/** Draws the card (header, name, amount, QR with its mark) on a canvas and returns a PNG data URL. */
export function cardPng(modules: readonly (readonly boolean[])[], data: KhqrData): string {
  const width = 600;
  const height = 870;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  const font = '"Nunito Sans", system-ui, "Noto Sans Khmer", "Khmer OS", sans-serif';
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#e1232e';
  g.fillRect(0, 0, width, 104);
  g.fillStyle = '#fff';
  g.font = `800 62px ${font}`;
  g.textAlign = 'center';
  g.fillText('KHQR', width / 2, 74);
  g.textAlign = 'left';
  g.fillStyle = '#1d1d1d';
  g.font = `400 26px ${font}`;
  g.fillText(data.merchantName, 60, 175);
  g.font = `800 56px ${font}`;
  const value = formatMoney(data.amount ?? '0', data.currency);
  const valueWidth = g.measureText(value).width;
  g.fillText(value, 60, 245);
  g.font = `400 26px ${font}`;
  g.fillStyle = '#5c5c5c';
  g.fillText(data.currency, 60 + valueWidth + 12, 245);
  const size = modules.length;
  const box = 480;
  const cell = box / size;
  const left = (width - box) / 2;
  const top = 325;
  g.fillStyle = '#000';
  modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) g.fillRect(left + x * cell, top + y * cell, Math.ceil(cell), Math.ceil(cell));
    });
  });
  g.beginPath();
  g.arc(width / 2, top + box / 2, 40, 0, Math.PI * 2);
  g.fillStyle = '#fff';
  g.fill();
  g.beginPath();
  g.arc(width / 2, top + box / 2, 32, 0, Math.PI * 2);
  g.fillStyle = '#1d1d1d';
  g.fill();
  g.fillStyle = '#fff';
  g.font = `800 38px ${font}`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(CURRENCY_MARK[data.currency], width / 2, top + box / 2 + 2);
  return canvas.toDataURL('image/png');
}
