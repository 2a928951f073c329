import { cacheExchange, Client, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createLiveClient } from 'graphql-ws';
import type { Session } from './session';

/**
 * The console's one way to the API: /graphql on the same origin, with the signed-in user's token;
 * subscriptions over a WebSocket to the same address (graphql-ws), opened when a page first subscribes
 * and closed with `dispose` (on sign-out).
 */
export function apiClient(session: Session): { client: Client; dispose: () => void } {
  const live = createLiveClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization: `Bearer ${session.token}` },
    lazy: true,
  });
  const client = new Client({
    url: '/graphql',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: live.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${session.token}` } }),
    requestPolicy: 'cache-and-network',
  });
  return { client, dispose: () => void live.dispose() };
}

/**
 * What went wrong, in words a scheduler acts on. The API's own messages already say what to do
 * (README "Who is acting", "Limits"); only what never reached it, or a sign-in that has run out, is worded here.
 */
export function errorWords(error: CombinedError): string[] {
  if (error.networkError && error.graphQLErrors.length === 0) return ['Bedside could not be reached. Check the connection and try again.'];
  const words = error.graphQLErrors.map((e) =>
    e.extensions?.code === 'UNAUTHENTICATED' ? 'Your sign-in has run out or is not valid. Sign out and sign in again.' : e.message,
  );
  return [...new Set(words)];
}
