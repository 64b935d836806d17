// The official SDK's test vectors (../shared/vectors, beside the repository), typed.
import raw from '../../../../shared/vectors/khqr-official.json';

export interface OfficialInput {
  bakongAccountID?: unknown;
  merchantName?: unknown;
  merchantCity?: unknown;
  merchantID?: unknown;
  acquiringBank?: unknown;
  optional?: Record<string, unknown>;
}

interface Envelope {
  status: { code: number; errorCode: number | null; message: string | null };
  data: unknown;
}

export type VectorCase =
  | {
      group: 'valid';
      id: string;
      note: string;
      now: number;
      kind: 'individual' | 'merchant';
      input: OfficialInput;
      qr: string;
      md5: string;
      decoded: Envelope;
      decodedNonKhqr: Envelope;
      verify: { isValid: boolean };
    }
  | {
      group: 'invalid';
      id: string;
      note: string;
      now: number;
      kind: 'individual' | 'merchant';
      input: OfficialInput;
      error?: { code: number; message: string };
      thrown?: string;
    }
  | {
      group: 'quirk';
      id: string;
      note: string;
      now: number;
      kind: 'individual' | 'merchant';
      input: OfficialInput;
      result: Envelope;
    }
  | {
      group: 'decode';
      id: string;
      note: string;
      now: number;
      input: string;
      verify?: { isValid: boolean };
      verifyHangs?: boolean;
      decodeHangs?: boolean;
      decoded: Envelope | null;
      decodedNonKhqr?: Envelope;
    };

/** Non-finite numbers are stored as {"$num": "NaN" | "Infinity" | "-Infinity"}. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === '$num') return Number(entries[0][1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

export const vectors = revive(raw.cases) as VectorCase[];
export const vectorMeta = raw.meta;
export const casesOf = <G extends VectorCase['group']>(group: G) =>
  vectors.filter((c): c is Extract<VectorCase, { group: G }> => c.group === group);
