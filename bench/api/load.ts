import autocannon from 'autocannon';

export interface LoadSegment {
  readonly requests: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  /** Connection errors, non-2xx answers and answers other than the expected body. */
  readonly failures: number;
}

/**
 * One closed-loop segment: `connections` clients each sending the next request as soon as the last is
 * answered, for `seconds`. Every answer must be byte for byte the body given, so a GraphQL error
 * (HTTP 200 with `errors`) counts as a failure rather than as a fast answer.
 */
export async function loadSegment(url: string, body: string, authorization: string, expectBody: string, connections: number, seconds: number): Promise<LoadSegment> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body,
    connections,
    pipelining: 1,
    duration: seconds,
    expectBody,
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.non2xx + result.mismatches,
  };
}
