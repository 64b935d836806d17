/**
 * The KHQR card's styles (reference/khqr-card.md), one source for the element and React.
 * Sizes follow the card: a 20:29 box whose text scales with its width (container units).
 * Theming: the `--khqr-*` custom properties.
 */
/** An action button's look; also what the element gives the page's slotted "continue" link. */
export const BUTTON =
  'font:inherit;font-size:14px;font-weight:700;min-height:44px;padding:8px 14px;border-radius:10px;border:1px solid currentColor;background:transparent;color:inherit;cursor:pointer;text-decoration:none;display:flex;align-items:center;justify-content:center;text-align:center;box-sizing:border-box;width:100%';
/** The primary action's colours (the card's red). */
export const PRIMARY = 'background:var(--_red);border-color:var(--_red);color:#fff';

export const CARD_CSS = `
.khqr{--_red:var(--khqr-red,#e1232e);--_bg:var(--khqr-background,#fff);--_fg:var(--khqr-foreground,#1d1d1d);--_muted:var(--khqr-muted,#5c5c5c);--_focus:var(--khqr-focus,#1a5fb4);display:inline-flex;flex-direction:column;align-items:stretch;gap:12px;width:var(--khqr-width,300px);max-width:100%;font-family:var(--khqr-font,"Nunito Sans",system-ui,"Noto Sans Khmer","Khmer OS","Khmer OS System",sans-serif)}
.khqr[data-theme=dark]{--_bg:var(--khqr-background,#1d1d1d);--_fg:var(--khqr-foreground,#fff);--_muted:var(--khqr-muted,#c8c8c8);--_focus:var(--khqr-focus,#8ab4f8)}
.khqr-card{color:var(--_fg);position:relative;container-type:inline-size;aspect-ratio:20/29;background:var(--_bg);border-radius:20px;overflow:clip;box-shadow:0 4px 24px rgb(0 0 0/.12);display:flex;flex-direction:column}
.khqr-header{height:17.4cqw;background:var(--_red);display:flex;align-items:center;justify-content:center;color:#fff;font-weight:800;font-size:10.4cqw;letter-spacing:.04em;flex:none}
.khqr-corner{position:absolute;top:17.4cqw;right:0;width:0;height:0;border-top:6cqw solid var(--_red);border-left:6cqw solid transparent}
.khqr-body{flex:1;display:flex;flex-direction:column;padding:5cqw 10cqw 4cqw;min-height:0}
.khqr-body>*{flex:none}
.khqr-name{font-size:4.35cqw;line-height:1.4;margin:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.khqr-amount{display:flex;align-items:baseline;gap:2cqw;margin:2cqw 0 0}
.khqr-value{font-size:9.4cqw;font-weight:800;line-height:1.1}
.khqr-currency{font-size:4.35cqw;color:var(--_muted)}
.khqr-rule{border:0;border-top:.6cqw dashed var(--_muted);margin:4cqw -10cqw 5cqw;opacity:.6}
.khqr-qr{position:relative;width:80cqw;aspect-ratio:1;margin:0 auto}
.khqr-qr svg{display:block;width:100%;height:100%;color:var(--khqr-qr,#000);transition:opacity .3s}
.khqr[data-theme=dark] .khqr-qr{background:#fff;border-radius:2cqw;padding:8cqw;box-sizing:border-box;color:#1d1d1d}
.khqr-mark{position:absolute;left:50%;top:50%;width:14cqw;height:14cqw;transform:translate(-50%,-50%);border-radius:50%;background:#1d1d1d;border:1.6cqw solid #fff;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:800;font-size:6.5cqw;box-sizing:border-box}
.khqr:is([data-state=expired],[data-state=failed],[data-state=paid],[data-grace],[data-refused]) .khqr-qr svg{opacity:.08}
.khqr:is([data-state=expired],[data-state=failed],[data-state=paid],[data-grace],[data-refused]) .khqr-mark{display:none}
.khqr-overlay{position:absolute;inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:3cqw;padding:0 2cqw;text-align:center;font-weight:700;font-size:max(13px,5cqw);overflow-wrap:anywhere}
.khqr-overlay[hidden]{display:none}
.khqr-tick{width:18cqw;height:18cqw;border-radius:50%;display:flex;align-items:center;justify-content:center;color:#fff;font-size:11cqw;background:#0a7a3d}
.khqr-receipt{margin:0;display:grid;gap:1cqw;font-weight:400;font-size:max(13px,3.6cqw);line-height:1.35}
.khqr-receipt dt{color:var(--_muted);display:inline}.khqr-receipt dd{margin:0 0 0 1.5cqw;display:inline;font-weight:700;font-variant-numeric:tabular-nums}
.khqr-status:empty{display:none}
.khqr[data-theme=dark] .khqr-receipt dt{color:#5c5c5c}
.khqr:is([data-state=failed],[data-state=expired],[data-refused]) .khqr-tick{background:var(--_red)}
.khqr-timer{margin-top:auto;padding-top:3cqw;display:flex;justify-content:space-between;align-items:baseline;line-height:1.3;font-size:max(13px,3.6cqw);color:var(--_muted)}
.khqr-time{font-variant-numeric:tabular-nums;font-weight:700;color:var(--_fg)}
.khqr-bar{height:1.4cqw;border-radius:1cqw;background:rgb(127 127 127/.25);overflow:hidden;margin-top:1.5cqw}
.khqr-bar>span{display:block;height:100%;background:var(--_red);transform-origin:left;transition:transform 1s linear}
.khqr:is([data-state=paid],[data-state=failed],[data-state=expired],[data-refused]) :is(.khqr-timer,.khqr-bar){visibility:hidden}
.khqr-status{min-height:1.4em;margin:0;text-align:center;font-size:14px;overflow-wrap:anywhere}
.khqr[data-reconnecting] .khqr-status{font-weight:700}
.khqr-actions{display:grid;gap:8px}
.khqr-actions:empty{display:none}
.khqr-actions button,.khqr-actions a{${BUTTON}}
.khqr-actions button:disabled{opacity:.6;cursor:progress}
.khqr-actions .khqr-primary,.khqr-continue>:is(a,button){${PRIMARY}}
.khqr button:focus-visible,.khqr a:focus-visible{outline:3px solid var(--_focus);outline-offset:2px}
.khqr-error{padding:16px;border:1px solid var(--_red);border-radius:12px;color:var(--_fg);background:var(--_bg)}
.khqr-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (prefers-reduced-motion:reduce){.khqr-bar>span,.khqr-qr svg{transition:none}}
`;
