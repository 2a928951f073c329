import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A trust's OpenID Connect provider on this machine (test/support/oidc-provider.mjs), for the console's sign-in tests. */
export interface IdentityProvider {
  readonly issuer: string;
  /** Where its signing keys are published (oidc-provider's /jwks), as AUTH_JWKS_URL would name them. */
  readonly jwksUrl: string;
  /** Registers the console's redirect URI and Bedside's audience; the provider serves sign-ins from then on. */
  serve(settings: { redirectUri: string; audience: string; resource: string }): Promise<void>;
  close(): Promise<void>;
}

/** Starts the provider in its own process (oidc-provider is ESM-only) and waits for its issuer. */
export async function startIdentityProvider(): Promise<IdentityProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('The OpenID Connect provider stopped before it was ready (its error is above).');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const { issuer } = (await next()) as { issuer: string };
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    async serve(settings) {
      child.stdin!.write(`${JSON.stringify(settings)}\n`);
      await next();
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
