import { parseArgs } from 'node:util';
import { developmentSigningKey, mintToken } from '@bedside/identity';
import { ROLES, type Role } from '@bedside/shared';
import { developmentKeyFile, usesIdentityProvider } from '../auth-config';
import { runCli } from './cli-context';

const USAGE = `Usage: npm run token -- --role <${ROLES.join('|')}> [--trust RBV [--trust RGT]] [--actor name] [--expires 8h]`;

/** Mints a development bearer token for the local API (never valid against a real identity provider). */
runCli('token', async () => {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      trust: { type: 'string', multiple: true },
      actor: { type: 'string' },
      expires: { type: 'string', default: '8h' },
    },
  });
  if (usesIdentityProvider()) throw new Error('AUTH_JWKS_URL or AUTH_JWKS_FILE is set: tokens come from your identity provider, not from here.');
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) throw new Error(`give a role. ${USAGE}`);
  const trusts = (values.trust ?? []).flatMap((t) => t.split(',')).map((t) => t.trim().toUpperCase()).filter(Boolean);
  if (role === 'scheduler' && trusts.length === 0) throw new Error(`a scheduler acts for a trust: add --trust <ODS code>. ${USAGE}`);
  const actor = values.actor ?? `${role.replace(/_/g, '-')}${trusts.length ? `@${trusts[0]!.toLowerCase()}` : '@bedside.local'}`;
  const key = await developmentSigningKey(developmentKeyFile());
  process.stdout.write(`${await mintToken(key, { actor, role, trusts, expiresIn: values.expires })}\n`);
  return 0;
});
