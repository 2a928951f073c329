import { createClient, type Client } from 'graphql-ws';
import type { Persona, TestApi } from './test-api';

export interface Received {
  data?: Record<string, any> | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

export interface Subscriber {
  /** The next message, or fails after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Received>;
  /** The first message (skipping others, e.g. from earlier changes still arriving) that passes `check`. */
  until(check: (message: Received) => boolean, timeoutMs?: number): Promise<Received>;
  /** Whether the server ended or refused the subscription (with the error it gave). */
  readonly ended: Promise<{ error: unknown } | null>;
  close(): Promise<void>;
}

/** A GraphQL-over-WebSocket client (graphql-ws protocol) holding the persona's token, as a dashboard would. */
export async function connect(api: TestApi, persona: Persona | { authorization: string }): Promise<Client> {
  const authorization = 'authorization' in persona ? persona.authorization : `Bearer ${await api.token(persona)}`;
  return createClient({ url: api.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization }, retryAttempts: 0, lazy: true });
}

export function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Subscriber {
  const queue: Received[] = [];
  const waiting: ((message: Received) => void)[] = [];
  let endWith: (value: { error: unknown } | null) => void = () => undefined;
  const ended = new Promise<{ error: unknown } | null>((resolve) => (endWith = resolve));
  const stop = client.subscribe(
    { query, variables },
    {
      next: (message) => (waiting.length > 0 ? waiting.shift()!(message as Received) : queue.push(message as Received)),
      error: (error) => {
        const message: Received = { errors: Array.isArray(error) ? error : [{ message: String((error as { reason?: string })?.reason ?? error) }] };
        if (waiting.length > 0) waiting.shift()!(message);
        else queue.push(message);
        endWith({ error });
      },
      complete: () => endWith(null),
    },
  );
  const next = (timeoutMs = 10_000) =>
      queue.length > 0
        ? Promise.resolve(queue.shift()!)
        : new Promise<Received>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no subscription message within ${timeoutMs} ms`)), timeoutMs);
            waiting.push((message) => {
              clearTimeout(timer);
              resolve(message);
            });
          });
  return {
    ended,
    next,
    async until(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const message = await next(Math.max(1, deadline - Date.now()));
        if (check(message)) return message;
      }
    },
    close: async () => stop(),
  };
}
