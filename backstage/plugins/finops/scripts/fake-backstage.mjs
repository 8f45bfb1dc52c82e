// Stands for the Backstage backend's auth service, speaking its documented wire format: an ES256
// key pair made at startup, its public half at /api/auth/.well-known/jwks.json, user tokens as
// Backstage signs them (typ vnd.backstage.user, kid; iss <backend>/api/auth, sub, aud backstage,
// iat, exp 1 h; no `ent`, which Backstage leaves out by default) and GET /api/auth/v1/userinfo
// answering {claims: {sub, ent}}. Sign-in is the dev app's: GET /api/auth/dev/refresh?user=NAME
// answers what a Backstage provider's refresh answers ({backstageIdentity: {token, identity}}),
// for one of DEV_USERS; GET /api/auth/dev/users lists them for the dev app's sign-in page.
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';

const TOKEN_TYPE = 'vnd.backstage.user';
const LIFETIME_SECONDS = 3600;

/** The dev app's users and their groups in the catalog; API_ROLES makes viewers, finance and
 * admins of them. */
export const DEV_USERS = {
  pat: { displayName: 'Pat (payments team, viewer)', ent: ['group:default/payments-team'] },
  fran: { displayName: 'Fran (finance)', ent: ['group:default/finance'] },
  ada: { displayName: 'Ada (platform team, admin)', ent: ['group:default/platform-team'] },
};
/** api.auth.roles for an API behind this backend (scripts/e2e.sh writes them); others are viewers. */
export const API_ROLES = { finance: ['group:default/finance'], admin: ['group:default/platform-team'] };

const base64url = value => Buffer.from(value).toString('base64url');

export function createFakeBackstage(backendUrl) {
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = `${backendUrl}/api/auth`;
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] };

  function token(sub) {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ typ: TOKEN_TYPE, alg: 'ES256', kid }));
    const claims = base64url(JSON.stringify({ iss: issuer, sub, aud: 'backstage', iat: now, exp: now + LIFETIME_SECONDS }));
    // JWS ES256 signatures are r || s (IEEE P1363), not DER
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${signature.toString('base64url')}`;
  }

  /** The claims of a token this backend signed and that has not expired; undefined otherwise. */
  function verified(jwt) {
    const [header, claims, signature] = (jwt ?? '').split('.');
    if (!signature) return undefined;
    try {
      const signed = Buffer.from(`${header}.${claims}`);
      if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) return undefined;
      const payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
      return payload.exp > Date.now() / 1000 ? payload : undefined;
    } catch {
      return undefined;  // not a token at all
    }
  }

  function signIn(name) {
    const user = DEV_USERS[name];
    if (!user) return undefined;
    const userEntityRef = `user:default/${name}`;
    return {
      profile: { displayName: user.displayName },
      backstageIdentity: {
        token: token(userEntityRef),
        expiresInSeconds: LIFETIME_SECONDS,
        identity: { type: 'user', userEntityRef, ownershipEntityRefs: [userEntityRef, ...user.ent] },
      },
    };
  }

  /** Answers the auth routes; false for any other path. */
  function handle(request, response) {
    const url = new URL(request.url, backendUrl);
    const json = (status, body) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method !== 'GET' || !url.pathname.startsWith('/api/auth/')) return false;
    if (url.pathname === '/api/auth/.well-known/jwks.json') {
      json(200, jwks);
    } else if (url.pathname === '/api/auth/v1/userinfo') {
      const claims = verified(request.headers.authorization?.replace(/^Bearer /, ''));
      if (!claims) json(401, { error: { name: 'AuthenticationError', message: 'Illegal token' } });
      else json(200, { claims: { sub: claims.sub, ent: [claims.sub, ...(DEV_USERS[claims.sub.replace('user:default/', '')]?.ent ?? [])] } });
    } else if (url.pathname === '/api/auth/dev/users') {
      json(200, Object.entries(DEV_USERS).map(([name, user]) => ({ name, displayName: user.displayName })));
    } else if (url.pathname === '/api/auth/dev/refresh') {
      const answer = signIn(url.searchParams.get('user'));
      if (answer) json(200, answer);
      else json(404, { error: { name: 'NotFoundError', message: `no dev user ${url.searchParams.get('user')}` } });
    } else {
      json(404, { error: { name: 'NotFoundError', message: `no auth route ${url.pathname}` } });
    }
    return true;
  }

  return { handle, token, issuer };
}
