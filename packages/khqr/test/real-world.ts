// The corpus of real-world-shaped KHQRs (test/real-world.json, built by real-world.make.ts),
// typed, and the differential both the browser and the Node tests run over it.
import { type VerifyKhqrOptions, verifyKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import { vi } from 'vitest';
import raw from './real-world.json';

export interface RealWorldCase {
  id: string;
  /** `constructed` (a §8 shape) or the official SDK test file the string is copied from. */
  source: string;
  note: string;
  /** The §8 features (or `near miss`) the string carries. */
  exercises: string[];
  /** The clock (ms) to verify at: `Date.now` for the official SDK, `now` for ours. */
  now: number;
  qr: string;
  /** The official `BakongKHQR.verify(qr).isValid` at `now`. */
  official: boolean;
  /** Refused by the official SDK only because `now` is past its expiry (`ignoreExpiry` reads it). */
  expired?: true;
  /** A dynamic QR living longer than 10 minutes: the default `verifyKhqr` refuses it (104). */
  longLifetime?: true;
  /** The official `decode` never returns on it (its `verify` does). */
  officialDecodeHangs?: true;
}

export const realWorld = raw.cases as RealWorldCase[];

/** The ways `verifyKhqr` is called in the differential. */
export const MODES = {
  /** The official SDK's own rules: the expiry against the clock, no ceiling on the lifetime. */
  allowLongExpiry: (now: number): VerifyKhqrOptions => ({ now, allowLongExpiry: true }),
  /** Reading a QR shown earlier: neither the clock nor the 10-minute ceiling. */
  ignoreExpiry: (now: number): VerifyKhqrOptions => ({ now, ignoreExpiry: true }),
  /** The defaults: the clock and the 10-minute ceiling. */
  'default options': (now: number): VerifyKhqrOptions => ({ now }),
};
export type Mode = keyof typeof MODES;

export interface Disagreement {
  id: string;
  official: boolean;
  /** `valid`, or the KhqrError code. */
  ours: number | 'valid';
}

/**
 * Runs each string through `verifyKhqr` (in `mode`) and the compat `BakongKHQR.verify`, and
 * returns where each answers otherwise than `officialOf`.
 */
export function differential<T extends { id: string; qr: string; now: number }>(
  items: T[],
  officialOf: (item: T) => boolean,
  mode: Mode,
): { ours: Disagreement[]; compat: string[] } {
  const ours: Disagreement[] = [];
  const compat: string[] = [];
  for (const item of items) {
    const official = officialOf(item);
    const result = verifyKhqr(item.qr, MODES[mode](item.now));
    if (result.valid !== official) {
      ours.push({ id: item.id, official, ours: result.valid ? 'valid' : result.error.code });
    }
    vi.spyOn(Date, 'now').mockReturnValue(item.now);
    if (BakongKHQR.verify(item.qr).isValid !== official) compat.push(item.id);
    vi.restoreAllMocks();
  }
  return { ours, compat };
}

/** The cases where `verifyKhqr` in `mode` answers otherwise than the official SDK, by design. */
export function expectedDisagreements(mode: Mode): string[] {
  return realWorld
    .filter((c) =>
      mode === 'ignoreExpiry'
        ? c.expired
        : mode === 'default options'
          ? c.longLifetime && !c.expired
          : false,
    )
    .map((c) => c.id);
}
