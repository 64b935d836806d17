// The products' pictures, drawn inline: they look the same on every machine, unlike emoji, which
// show as empty boxes where no emoji font is installed. An unknown product falls back to its emoji.
import type { Product } from './api.ts';

const PICTURES: Record<string, React.ReactNode> = {
  'kampot-pepper': (
    <>
      <path d="M32 5c-2 14 2 30 0 54" fill="none" stroke="#3d6b2a" strokeWidth="2.5" />
      {(
        [
          [25, 15, 5.5, '#c0392b'],
          [39, 19, 5.5, '#2e6b2a'],
          [26, 28, 6, '#7d1d12'],
          [38, 31, 6, '#c0392b'],
          [26, 41, 6, '#2e6b2a'],
          [38, 44, 6, '#7d1d12'],
          [32, 54, 5.5, '#c0392b'],
        ] as const
      ).map(([cx, cy, r, fill]) => (
        <g key={`${cx},${cy}`}>
          <circle cx={cx} cy={cy} r={r} fill={fill} />
          <circle cx={cx - r / 3} cy={cy - r / 3} r={r / 3.5} fill="#fff" opacity=".35" />
        </g>
      ))}
    </>
  ),
  'iced-coffee': (
    <>
      <path d="M16 14h32l-4.5 44h-23z" fill="#f4efe9" stroke="#8b6b4a" strokeWidth="1.5" />
      <path d="M19 30h26l-2.7 26.5H21.7z" fill="#6f4325" />
      <path d="M17.8 22h28.4l-.8 8H18.6z" fill="#e8d3b5" />
      <rect x="23" y="33" width="8" height="8" rx="1.5" fill="#fff" opacity=".45" />
      <rect x="33" y="40" width="8" height="8" rx="1.5" fill="#fff" opacity=".35" />
      <path d="M40 4l-5 40" stroke="#e1232e" strokeWidth="3" strokeLinecap="round" />
    </>
  ),
  krama: (
    <>
      <rect x="10" y="10" width="44" height="38" rx="3" fill="#fff" stroke="#b3261e" />
      {[14, 24, 34, 44].map((x) => (
        <rect key={`v${x}`} x={x} y="10" width="5" height="38" fill="#c0392b" opacity=".85" />
      ))}
      {[14, 25, 36].map((y) => (
        <rect key={`h${y}`} x="10" y={y} width="44" height="5" fill="#c0392b" opacity=".55" />
      ))}
      {[13, 18, 23, 28, 33, 38, 43, 48, 51].map((x) => (
        <path key={`f${x}`} d={`M${x} 48v8`} stroke="#c0392b" strokeWidth="1.6" />
      ))}
    </>
  ),
  'palm-sugar': (
    <>
      <rect x="20" y="7" width="24" height="9" rx="2" fill="#7a4a22" />
      <rect x="14" y="15" width="36" height="43" rx="9" fill="#d99a3e" />
      <rect x="19" y="29" width="26" height="15" rx="2" fill="#fff4df" />
      <path d="M23 34h18M23 39h12" stroke="#7a4a22" strokeWidth="2" strokeLinecap="round" />
      <rect x="17" y="19" width="4" height="32" rx="2" fill="#fff" opacity=".3" />
    </>
  ),
  'silk-wallet': (
    <>
      <rect x="8" y="18" width="48" height="32" rx="6" fill="#6b2d8f" />
      <rect x="8" y="42" width="48" height="3" fill="#e3b341" opacity=".85" />
      <path d="M8 24q24 16 48 0v-2a4 4 0 0 0-4-4H12a4 4 0 0 0-4 4z" fill="#8e44ad" />
      <circle cx="32" cy="32" r="3.5" fill="#e3b341" />
    </>
  ),
};

/** The product's picture, the same size for every product. */
export function ProductPicture({ product }: { product: Pick<Product, 'id' | 'emoji'> }) {
  const picture = PICTURES[product.id];
  return (
    <div className="picture" aria-hidden="true">
      {picture ? (
        <svg viewBox="0 0 64 64" width="64" height="64" aria-hidden="true">
          {picture}
        </svg>
      ) : (
        <span className="emoji">{product.emoji}</span>
      )}
    </div>
  );
}
