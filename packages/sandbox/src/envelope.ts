import type { ServerResponse } from 'node:http';
import { sendJson } from './http.ts';

/** Bakong's envelope: `{responseCode, responseMessage, errorCode, data}`. */
export interface Envelope {
  responseCode: 0 | 1;
  responseMessage: string;
  errorCode: number | null;
  data: unknown;
}

export const ok = (data: unknown, message = 'Getting transaction successfully.'): Envelope => ({
  responseCode: 0,
  responseMessage: message,
  errorCode: null,
  data,
});

export const error = (errorCode: number | null, message: string): Envelope => ({
  responseCode: 1,
  responseMessage: message,
  errorCode,
  data: null,
});

/** The messages Bakong sends with each errorCode (as far as they are documented or observed). */
export const MESSAGES = {
  notFound: 'Transaction could not be found. Please check and try again.',
  staticQr: 'Static QR is not supported.',
  failed: 'Transaction failed.',
  missing: 'Missing required fields.',
  unauthorized: 'Unauthorized',
  /** errorCode 6 inside an HTTP 200, verbatim as integrators record it. */
  tokenRefused: 'Unauthorized, not yet requested for token or code invalid',
} as const;

/** The errorCode each response answered, read by the counters once it is sent. */
const answered = new WeakMap<ServerResponse, number | null>();

export function sendEnvelope(
  res: ServerResponse,
  status: number,
  body: Envelope,
  headers: Record<string, string> = {},
): void {
  answered.set(res, body.errorCode);
  sendJson(res, status, body, headers);
}

/** The errorCode of the envelope `res` answered: null on success and when no envelope was sent. */
export const answeredErrorCode = (res: ServerResponse): number | null => answered.get(res) ?? null;
