// Next 16's types need the URLPattern types of a newer lib.dom; ./url-pattern has them for
// TypeScript 5 only, so TypeScript 7 keeps its own.
import type {} from 'url-pattern-types';
