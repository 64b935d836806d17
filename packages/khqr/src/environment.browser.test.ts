import { generateKhqr, khqrMd5, verifyKhqr } from '@khqr-checkout/khqr';
import { describe, expect, it } from 'vitest';

describe('in real Chromium', () => {
  it('runs in a browser, not in Node', () => {
    expect(navigator.userAgent).toMatch(/Chrome\//);
    expect(typeof document.createElement).toBe('function');
  });

  it('generates, hashes and verifies a Khmer QR with no Node built-in', () => {
    const { qr, md5 } = generateKhqr({
      bakongAccountId: 'sok@aclb',
      merchantName: 'សុខ កាហ្វេ',
      amount: 4000,
      now: Date.now(),
    });
    expect(md5).toBe(khqrMd5(qr));
    expect(verifyKhqr(qr).valid).toBe(true);
  });
});
