// The official SDK ships no types for its internals; the tests use its CRC directly.
declare module 'bakong-khqr/src/helper/crc16.js' {
  const crc16: (s: string) => string;
  export default crc16;
}
