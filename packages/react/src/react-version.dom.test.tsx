// Which React the card's tests ran on: 19 in the jsdom project, 18 in react18-jsdom (the peer
// range is ^18.2 || ^19). A mix of two Reacts would already break every hook in the other tests.
import { KhqrCheckout } from '@khqr-checkout/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { version } from 'react';
import { version as domVersion } from 'react-dom';
import { describe, expect, it } from 'vitest';

describe('the React under test', () => {
  it(`is React ${process.env.KHQR_REACT_MAJOR}, with the matching react-dom`, () => {
    expect(process.env.KHQR_REACT_MAJOR).toMatch(/^1[89]$/);
    expect(version.split('.')[0]).toBe(process.env.KHQR_REACT_MAJOR);
    expect(domVersion).toBe(version);
    // react-query resolved against the same React: its provider reaches the card.
    const { container } = render(
      <QueryClientProvider client={new QueryClient()}>
        <KhqrCheckout bakongAccountId="shop@devb" merchantName="Shop" amount={100} endpoint="" />
      </QueryClientProvider>,
    );
    expect(container.querySelector('svg[role="img"]')).not.toBeNull();
  });
});
