// A stand-in for @microsoft/signalr's HubConnection that a test drives by hand.
import type { HubLike } from '../results-client';

type Answer = (args: unknown[]) => unknown;

export class FakeHub implements HubLike {
  readonly calls: { method: string; args: unknown[] }[] = [];
  readonly answers = new Map<string, Answer>();
  startError: Error | null = null;
  starts = 0;
  private readonly handlers = new Map<string, (...args: unknown[]) => void>();
  private closeCb: ((e?: Error) => void) | null = null;
  private reconnectingCb: ((e?: Error) => void) | null = null;
  private reconnectedCb: ((id?: string) => void) | null = null;

  async start(): Promise<void> {
    this.starts++;
    if (this.startError) throw this.startError;
  }

  async stop(): Promise<void> {}

  async invoke(method: string, ...args: unknown[]): Promise<unknown> {
    this.calls.push({ method, args });
    const answer = this.answers.get(method);
    return answer ? answer(args) : undefined;
  }

  on(event: string, handler: (...args: unknown[]) => void): void {
    this.handlers.set(event, handler);
  }

  onclose(cb: (e?: Error) => void): void { this.closeCb = cb; }
  onreconnecting(cb: (e?: Error) => void): void { this.reconnectingCb = cb; }
  onreconnected(cb: (id?: string) => void): void { this.reconnectedCb = cb; }

  push(event: string, payload: unknown): void {
    this.handlers.get(event)?.(payload);
  }

  reconnecting(): void { this.reconnectingCb?.(new Error('lost')); }
  reconnected(): void { this.reconnectedCb?.('new-id'); }
  close(): void { this.closeCb?.(new Error('closed')); }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}
