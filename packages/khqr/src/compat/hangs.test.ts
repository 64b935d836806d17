import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import { describe, expect, it } from 'vitest';
import { crc16 } from '../crc16.ts';

const withCrc = (body: string) => `${body}6304${crc16(`${body}6304`)}`;

// Inputs on which bakong-khqr 1.0.20 loops forever (checked by running it under a timeout).
describe('inputs that hang the official SDK', () => {
  it.each([
    [
      'a template sub-length that is not a number',
      '00020101021129070003a@b5204599953031165802KH5901x6002PP620501AB1',
    ],
    ['a tag 30 whose length is not a number', '00020101021130AB'],
  ])('%s: answered at once', (_, body) => {
    expect(BakongKHQR.decode(body)).toMatchObject({
      status: { code: 1, errorCode: 102 },
      data: null,
    });
    expect(BakongKHQR.verify(withCrc(body))).toEqual({ isValid: false });
  });
});
