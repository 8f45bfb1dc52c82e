// The browser test: the dev app, served against the real API through the stand-in Backstage
// backend (scripts/proxy.mjs: proxy and auth), driven in the system Chromium, signed in as a
// viewer, a finance user and an admin, each with real user tokens. Every expected figure comes
// from the API's own answers to the same user's token.
// Usage: node e2e/run.mjs --api http://127.0.0.1:8000 --backend-port 7007 [--screenshots DIR, default e2e/out]
//   (the API verifies tokens against http://127.0.0.1:<backend-port>/api/auth: scripts/e2e.sh)
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Big from 'big.js';
import { chromium } from 'playwright-core';
import { Tally, equal, freePort, start, waitForText } from './harness.mjs';
import { Api, largestCurrency, money, total } from './expected.mjs';
import { checkPages } from './pages.mjs';
import { checkRoles } from './roles.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    api: { type: 'string' },
    'backend-port': { type: 'string' },
    screenshots: { type: 'string', default: path.join(root, 'e2e', 'out') },
  },
});
if (!values.api || !values['backend-port']) throw new Error('--api <FinOps API base URL> and --backend-port <port> are required');

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const VIEWPORT = { width: 1400, height: 1000 };
/** The stand-in backend's users (scripts/fake-backstage.mjs DEV_USERS) the checks sign in as. */
const USERS = { viewer: 'pat', finance: 'fran', admin: 'ada' };

const tally = new Tally();
const work = await mkdtemp(path.join(tmpdir(), 'finops-e2e-'));
const proxyPort = Number(values['backend-port']);
const backend = `http://127.0.0.1:${proxyPort}`;
const appPort = await freePort();
const appUrl = `http://127.0.0.1:${appPort}`;
const configFile = path.join(work, 'app-config.yaml');
await writeFile(configFile, `app:\n  title: FinOps dev app\n  baseUrl: ${appUrl}\nbackend:\n  baseUrl: http://127.0.0.1:${proxyPort}\n`);

const proxy = start('node', [path.join(root, 'scripts', 'proxy.mjs'), String(proxyPort), values.api, appUrl], { ready: /FinOps proxy/ });
const devServer = start('npx', ['backstage-cli', 'package', 'start', '--config', configFile], {
  cwd: root,
  ready: /compiled successfully/i,
  env: { BROWSER: 'none' },
});
let browser;
try {
  await tally.run('the committed OpenAPI snapshot is the live API schema', async () => {
    const snapshot = JSON.parse(await readFile(path.join(root, 'openapi', 'openapi.json'), 'utf8'));
    const live = await (await fetch(`${values.api}/schema/openapi.json`)).json();
    const difference = firstDifference(live, snapshot, '$');
    if (difference) throw new Error(`the API schema changed at ${difference}: run scripts/update-openapi.sh, then fix the plugin`);
  });
  const startedAt = Date.now();
  await Promise.all([proxy.started, devServer.started]);
  console.log(`dev app up in ${Date.now() - startedAt} ms at ${appUrl}`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  await mkdir(values.screenshots, { recursive: true });
  const as = {};
  for (const [role, name] of Object.entries(USERS)) {
    as[role] = { name, api: await apiAs(name), page: await signedIn(browser, name) };
  }
  const context = {
    page: as.finance.page, api: as.finance.api, as, backend, appUrl, tally, screenshots: values.screenshots,
    money, total, largestCurrency, Big, waitForText, equal,
  };
  await checkRoles(context);
  await checkPages(context);
} catch (error) {
  tally.failed += 1;
  console.log(`FAIL harness: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await browser?.close();
  devServer.stop();
  proxy.stop();
  await rm(work, { recursive: true, force: true });
}
console.log(tally.summary());
process.exit(tally.failed === 0 ? 0 : 1);

/** The API's answers to a user's own token, as the stand-in backend signs it in. */
async function apiAs(name) {
  const response = await fetch(`${backend}/api/auth/dev/refresh?user=${name}`);
  if (!response.ok) throw new Error(`signing ${name} in: ${response.status} ${await response.text()}`);
  return new Api(values.api, (await response.json()).backstageIdentity.token);
}

/** A page of its own browser context, signed in as the user through the dev app's sign-in page. */
async function signedIn(chromiumBrowser, name) {
  const page = await (await chromiumBrowser.newContext({ viewport: VIEWPORT })).newPage();
  await page.goto(`${appUrl}/finops`);
  await page.getByTestId(`sign-in-${name}`).click();
  await page.getByTestId(`sign-in-${name}`).waitFor({ state: 'detached' });
  return page;
}

/** The first JSON path where two documents differ (key order aside); undefined when equal. */
function firstDifference(a, b, at) {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(a[key], b[key], `${at}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return a === b ? undefined : at;
}
