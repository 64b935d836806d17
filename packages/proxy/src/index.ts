export type {
  BakongClient,
  BakongClientOptions,
  Md5ListItem,
  SourceInfo,
} from './bakong-client.ts';
export { BAKONG_HOSTS, checkBaseUrl, createBakongClient } from './bakong-client.ts';
export type { CheckResult, PaidEvent, ProxyAlert } from './checker.ts';
export { verifyPayment } from './checker.ts';
export type { CheckoutInput, CreatedCheckout, MerchantConfig, ValidateHook } from './checkout.ts';
export { ProxyError } from './errors.ts';
export type { LimiterOptions } from './limiter.ts';
export type { Logger } from './logger.ts';
export { consoleLogger } from './logger.ts';
export type { BakongOutcome, BakongTransaction, UpstreamErrorReason } from './outcome.ts';
export { classify, isTransient } from './outcome.ts';
export type { KhqrProxy, KhqrProxyOptions, RequestContext } from './proxy.ts';
export { createKhqrProxy } from './proxy.ts';
export type { CheckoutRecord, CheckoutStatus, ProxyStore, StatusEntry } from './store.ts';
export { MemoryStore } from './store.ts';
export type { TokenHealth } from './token-health.ts';
export { tokenHealth } from './token-health.ts';
