import { useCallback, useEffect, useRef, useState } from 'react';
import { Content, Header, Page, Progress } from '@backstage/core-components';
import Alert from '@material-ui/lab/Alert';
import Button from '@material-ui/core/Button';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import type { BackstageUserIdentity, IdentityApi, ProfileInfo } from '@backstage/frontend-plugin-api';
import type { SignInPageProps } from '@backstage/plugin-app-react';

// The dev app's sign-in: a choice of the stand-in backend's users (scripts/fake-backstage.mjs),
// whose user token the app's fetchApi then adds to every call to the backend, as a real
// Backstage app does; the proxy forwards it to the FinOps API. The choice is remembered in
// localStorage, so reloads and shared links stay signed in as the same user.

const REMEMBERED = 'finops-dev-user';
const RENEW_BEFORE_MS = 60_000;

type DevUser = { name: string; displayName: string };
type Refresh = {
  profile: ProfileInfo;
  backstageIdentity: { token: string; expiresInSeconds: number; identity: BackstageUserIdentity };
};

async function answer<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** An IdentityApi for one dev user; its token is renewed a minute before it expires. */
async function devIdentity(authBase: string, name: string): Promise<IdentityApi> {
  const refresh = () => answer<Refresh>(`${authBase}/refresh?user=${encodeURIComponent(name)}`);
  let session = await refresh();
  let expiresAt = Date.now() + session.backstageIdentity.expiresInSeconds * 1000;
  return {
    getProfileInfo: async () => session.profile,
    getBackstageIdentity: async () => session.backstageIdentity.identity,
    getCredentials: async () => {
      if (Date.now() > expiresAt - RENEW_BEFORE_MS) {
        session = await refresh();
        expiresAt = Date.now() + session.backstageIdentity.expiresInSeconds * 1000;
      }
      return { token: session.backstageIdentity.token };
    },
    signOut: async () => localStorage.removeItem(REMEMBERED),
  };
}

export function DevSignInPage({ onSignInSuccess }: SignInPageProps) {
  const authBase = `${useApi(configApiRef).getString('backend.baseUrl')}/api/auth/dev`;
  const [users, setUsers] = useState<DevUser[]>();
  const [error, setError] = useState<string>();
  const started = useRef(false); // onSignInSuccess is to be called once, effects may run twice
  const signIn = useCallback(
    async (name: string) => {
      try {
        const identity = await devIdentity(authBase, name);
        localStorage.setItem(REMEMBERED, name);
        onSignInSuccess(identity);
      } catch (failure) {
        localStorage.removeItem(REMEMBERED);
        setError(`Signing in as ${name} failed: ${String(failure)}`);
      }
    },
    [authBase, onSignInSuccess],
  );
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const remembered = localStorage.getItem(REMEMBERED);
    if (remembered) {
      signIn(remembered);
    } else {
      answer<DevUser[]>(`${authBase}/users`).then(setUsers, failure => setError(String(failure)));
    }
  }, [authBase, signIn]);

  return (
    <Page themeId="home">
      <Header title="FinOps dev app" subtitle="Sign in as one of the stand-in Backstage's users" />
      <Content>
        {error && <Alert severity="error">{error}</Alert>}
        {!users && !error && <Progress />}
        {users?.map(user => (
          <Button key={user.name} variant="outlined" color="primary" data-testid={`sign-in-${user.name}`}
            onClick={() => signIn(user.name)} style={{ marginRight: 16 }}>
            Sign in as {user.displayName}
          </Button>
        ))}
      </Content>
    </Page>
  );
}
