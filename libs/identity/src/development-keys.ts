import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { systemClock, type Role } from '@bedside/shared';

/** Issuer and audience of development tokens (`npm run token`). */
export const DEVELOPMENT_ISSUER = 'bedside-development';
export const DEVELOPMENT_AUDIENCE = 'bedside';

export interface SigningKey {
  readonly privateJwk: JWK;
  readonly publicKeys: JSONWebKeySet;
}

export async function newSigningKey(kid = `dev-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk, publicKeys: { keys: [publicJwk] } };
}

/**
 * The development signing key, kept beside the embedded database (`.bedside/`) so the API and
 * `npm run token` agree across restarts. Made on first use, readable by its owner only.
 */
export async function developmentSigningKey(file: string): Promise<SigningKey> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SigningKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const key = await newSigningKey();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    return JSON.parse(await readFile(file, 'utf8')) as SigningKey;
  }
}

export interface TokenRequest {
  readonly actor: string;
  readonly role: Role;
  readonly trusts?: readonly string[];
  /** Lifetime, e.g. '8h' (jose time span); negative spans make expired tokens for tests. */
  readonly expiresIn?: string | number;
  readonly issuer?: string;
  readonly audience?: string;
  /** When it is issued (default: now, by the system clock); tests on a pinned clock pass theirs. */
  readonly issuedAt?: Date;
}

/** Signs a token with the claims Bedside reads by default (roles, trusts). */
export async function mintToken(key: SigningKey, request: TokenRequest): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  const issuedAt = Math.floor((request.issuedAt ?? systemClock.now()).getTime() / 1000);
  return new SignJWT({ roles: [request.role], trusts: [...(request.trusts ?? [])], preferred_username: request.actor })
    .setProtectedHeader({ alg: 'ES256', kid: key.privateJwk.kid })
    .setSubject(request.actor)
    .setIssuer(request.issuer ?? DEVELOPMENT_ISSUER)
    .setAudience(request.audience ?? DEVELOPMENT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(typeof request.expiresIn === 'number' ? issuedAt + request.expiresIn : (request.expiresIn ?? '8h'))
    .sign(privateKey);
}
