// The page reacts to the element's events (UI only: the server fulfils through the proxy's onPaid).
const card = document.querySelector('khqr-checkout');
const result = document.getElementById('result');
card.addEventListener('khqr-success', () => {
  result.textContent = 'Thank you! Your donation was received.';
});
card.addEventListener('khqr-expired', () => {
  result.textContent = 'The QR expired: press "New QR" to try again.';
});
