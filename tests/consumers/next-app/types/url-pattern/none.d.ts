// TypeScript 6 and later: lib.dom declares URLPattern.
export {};
