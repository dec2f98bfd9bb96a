// The SignalR connection, behind a small interface so tests can pass a fake hub.
import { type HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { type BackoffOptions, ForeverRetryPolicy } from './backoff';

export type Protocol = 'msgpack' | 'json';

/** The part of @microsoft/signalr's HubConnection we use. */
export interface HubLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  invoke(method: string, ...args: unknown[]): Promise<unknown>;
  on(event: string, handler: (...args: unknown[]) => void): void;
  onclose(cb: (error?: Error) => void): void;
  onreconnecting(cb: (error?: Error) => void): void;
  onreconnected(cb: (connectionId?: string) => void): void;
}

export interface HubFactoryOptions {
  protocol: Protocol;
  transports: HttpTransportType;
  backoff: BackoffOptions;
}

export function createHub(url: string, opts: HubFactoryOptions): HubLike {
  const builder = new HubConnectionBuilder()
    // Viewers are anonymous: no cookies, so news sites can embed us cross-origin without a credentialed CORS policy.
    .withUrl(url, { transport: opts.transports, withCredentials: false })
    // Never gives up (the library default stops after ~42 s and a TV graphic would freeze).
    .withAutomaticReconnect(new ForeverRetryPolicy(opts.backoff))
    .configureLogging(LogLevel.Warning);
  if (opts.protocol === 'msgpack') builder.withHubProtocol(new MessagePackHubProtocol());
  return builder.build();
}
