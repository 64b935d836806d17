export type {
  BakongClient,
  BakongClientOptions,
  Md5ListItem,
  SourceInfo,
} from './bakong-client.ts';
export { BAKONG_HOSTS, checkBaseUrl, createBakongClient } from './bakong-client.ts';
export type { CheckResult } from './checker.ts';
export { verifyPayment } from './checker.ts';
export type {
  CheckoutInput,
  CreatedCheckout,
  MerchantConfig,
  ValidatedOrder,
  ValidateHook,
} from './checkout.ts';
export type { SqlDatabase, SqlQuery } from './database.ts';
export { defaultDataDir, openDatabase, openEmbedded, openPostgres } from './database.ts';
export { ProxyError } from './errors.ts';
export type { PaidEvent, ProxyAlert } from './events.ts';
export type { CheckoutRow, OutboxHealth, SettlementRow } from './ledger.ts';
export { Ledger } from './ledger.ts';
export type { LimiterOptions } from './limiter.ts';
export type { Logger } from './logger.ts';
export { consoleLogger } from './logger.ts';
export type { BakongOutcome, BakongTransaction, UpstreamErrorReason } from './outcome.ts';
export { classify, isTransient } from './outcome.ts';
export type { KhqrProxy, KhqrProxyOptions, RequestContext } from './proxy.ts';
export { createKhqrProxy } from './proxy.ts';
export type { ProxyEnv } from './relay.ts';
export { relayFromEnv } from './relay.ts';
export type { CrashPoint } from './settlement.ts';
export { RETRY_DELAYS_MS, RETRY_FOR_MS } from './settlement.ts';
export type { CheckoutRecord, CheckoutStatus, ProxyStore } from './store.ts';
export { MemoryStore } from './store.ts';
export type { TokenHealth } from './token-health.ts';
export { tokenHealth } from './token-health.ts';
export type {
  KhqrWebhookErrorCode,
  VerifyKhqrWebhookOptions,
  WebhookDeliveryOptions,
} from './webhook.ts';
export {
  KhqrWebhookError,
  signKhqrWebhook,
  verifyKhqrWebhook,
  webhookDelivery,
} from './webhook.ts';
