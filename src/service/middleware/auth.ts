/**
 * Authentication and authorization: bearer API keys (stored as sha256 hashes) with scopes and an issuer, and the
 * deployment administrator token (configuration `adminToken`), which may create issuers and do the `admin`
 * operations of every issuer. Comparisons of secrets are constant-time (the key look-up is by hash).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { findApiKeyCached, hashToken } from '../../store/api-keys.js';
import type { ApiKeyRow, Scope } from '../../store/api-keys.js';
import type { Db } from '../../store/db.js';
import { problems } from '../problem.js';
import { locals } from './observe.js';

/** Who is calling: the key (or the deployment admin as a key of the issuer asked for) and the name the audit log records. */
export interface Principal {
  key: ApiKeyRow;
  actor: string;
}

/**
 * What a route needs: nothing (`public`), an API key with a scope (`issuer: 'path'`: of the issuer in the path's
 * `{slug}`, where the deployment admin token also serves for the `admin` scope; `'key'`: the key's own issuer, as
 * VC-API routes have no issuer in the path), or the deployment admin token itself.
 */
export type AuthRequirement = 'public' | 'deployment-admin' | { scope: Scope; issuer: 'path' | 'key' };

export interface Authenticator {
  /** Checks the request against the requirement; undefined for public routes. Throws 401/403 problems. */
  authenticate(req: Request, res: Response, requirement: AuthRequirement, issuerSlug: string | undefined): Promise<Principal | undefined>;
}

const DEPLOYMENT_ADMIN_ID = 'deployment-admin';
const BEARER = /^Bearer\s+(\S+)\s*$/i;

function bearerToken(req: Request, scope: Scope): string {
  const header = req.headers.authorization;
  if (!header) throw problems.unauthorized(`This operation needs an API key with the "${scope}" scope: send "Authorization: Bearer <token>".`);
  const m = BEARER.exec(header);
  if (!m) throw problems.unauthorized('The Authorization header must be "Bearer <token>".');
  return m[1] as string;
}

/**
 * The authenticator of one deployment (its database of keys and its admin token, hashed once here).
 *
 * @example
 * ```ts
 * const auth = createAuthenticator(db, config.adminToken);
 * const principal = await auth.authenticate(req, res, { scope: 'issue', issuer: 'path' }, 'northbridge');
 * ```
 */
export function createAuthenticator(db: Db, adminToken: string | undefined): Authenticator {
  const adminHash = adminToken ? Buffer.from(hashToken(adminToken), 'hex') : undefined;
  const isDeploymentAdmin = (token: string): boolean => adminHash !== undefined && timingSafeEqual(Buffer.from(hashToken(token), 'hex'), adminHash);

  async function apiKey(res: Response, token: string, scope: Scope, issuerSlug: string | undefined): Promise<Principal> {
    // Cached for a few seconds (revocations in this process take effect at once): no statement per request.
    const key = await findApiKeyCached(db, token);
    if (!key) throw problems.unauthorized('The API key is not known or has been revoked.');
    locals(res).apiKey = key;
    if (issuerSlug !== undefined && key.issuerSlug !== issuerSlug) {
      throw problems.forbidden(`This API key belongs to issuer ${key.issuerSlug}, not ${issuerSlug}.`);
    }
    if (!key.scopes.includes(scope)) throw problems.forbidden(`This API key lacks the "${scope}" scope (it has: ${key.scopes.join(', ')}).`);
    return { key, actor: `api-key:${key.id}` };
  }

  return {
    async authenticate(req, res, requirement, issuerSlug) {
      if (requirement === 'public') return undefined;
      if (requirement === 'deployment-admin') {
        if (!isDeploymentAdmin(bearerToken(req, 'admin'))) throw problems.forbidden('Creating issuers needs the deployment admin token (configuration adminToken).');
        locals(res).apiKey = { id: DEPLOYMENT_ADMIN_ID };
        return { key: { id: DEPLOYMENT_ADMIN_ID, issuerSlug: '', scopes: ['admin'], createdAt: new Date(0).toISOString() }, actor: 'admin-token' };
      }
      const token = bearerToken(req, requirement.scope);
      const slug = requirement.issuer === 'path' ? issuerSlug : undefined;
      if (requirement.scope === 'admin' && slug !== undefined && isDeploymentAdmin(token)) {
        return { key: { id: DEPLOYMENT_ADMIN_ID, issuerSlug: slug, scopes: ['admin'], createdAt: new Date(0).toISOString() }, actor: 'admin-token' };
      }
      return apiKey(res, token, requirement.scope, slug);
    },
  };
}
