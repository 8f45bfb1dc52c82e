// What each role sees and may do, with real Backstage user tokens: the API really authenticates,
// a viewer's Overview is its own applications' costs, finance's the organisation's, and the
// What-if form is closed to a viewer before it tries to save.
import { shot } from './pages.mjs';

const TEAM = 'group:default/payments-team';

export async function checkRoles(context) {
  const { as, backend, appUrl, tally, money, total, largestCurrency, Big, waitForText, equal } = context;
  const viewer = as.viewer;
  const finance = as.finance;

  await tally.run('The API behind the proxy refuses a call without a user token (401), and says nothing of auth none', async () => {
    const response = await fetch(`${backend}/api/proxy/finops/api/v1/costs`);
    equal(response.status, 401, 'status without a token');
    equal(response.headers.get('x-finops-auth'), null, 'X-FinOps-Auth header');
    const me = await viewer.api.get('/me');
    equal(`${me.subject} ${me.role} ${me.authentication} ${me.can_write_simulations}`,
      `user:default/${viewer.name} viewer backstage false`, 'GET /api/v1/me of the viewer');
    const financeMe = await finance.api.get('/me');
    equal(`${financeMe.subject} ${financeMe.role} ${financeMe.can_write_simulations}`,
      `user:default/${finance.name} finance true`, 'GET /api/v1/me of finance');
  });

  await tally.run(`Overview as a viewer of ${TEAM}: the month's total is the API's for that viewer, its applications only`, async () => {
    const viewerRows = (await viewer.api.get('/costs', { group_by: 'month' })).rows;
    const month = viewerRows.map(row => row.month).sort().at(-1);
    const currency = largestCurrency(viewerRows);
    const viewerTotal = total(viewerRows, row => row.month === month && row.currency === currency);
    // independently: finance asks for the costs of the applications the team owns
    const owned = (await finance.api.get('/applications', { owner: TEAM })).rows.map(app => app.code);
    if (owned.length === 0) throw new Error(`the demo catalog gives ${TEAM} no application`);
    const ownedRows = (await finance.api.get('/costs', { group_by: 'month', application: owned.join(','), from: month, to: month })).rows;
    equal(viewerTotal, total(ownedRows, row => row.currency === currency), `the viewer's ${month} total is that of ${owned.join(', ')}`);
    const organisation = total((await finance.api.get('/costs', { group_by: 'month', from: month, to: month })).rows,
      row => row.currency === currency);
    if (!new Big(organisation).gt(viewerTotal)) throw new Error(`the organisation's ${organisation} is not above the team's ${viewerTotal}`);
    console.log(`  ${month} ${currency}: viewer ${viewer.name} (${owned.length} applications: ${owned.join(', ')}) ${viewerTotal}; finance ${finance.name} (organisation) ${organisation}`);

    await viewer.page.goto(`${appUrl}/finops/overview`);
    await waitForText(viewer.page.getByTestId(`period-total-${month}`), text => text === money(viewerTotal, currency), { what: `viewer total of ${month}` });
    await shot(context, 'overview-viewer', viewer.page);
    await finance.page.goto(`${appUrl}/finops/overview`);
    await waitForText(finance.page.getByTestId(`period-total-${month}`), text => text === money(organisation, currency), { what: `finance total of ${month}` });
  });

  await tally.run('What-if as a viewer: the form is disabled with the reason before any save', async () => {
    await viewer.page.goto(`${appUrl}/finops/what-if`);
    const reason = `user:default/${viewer.name} has the viewer role; saving and deleting simulations needs the finance or admin role.`;
    await waitForText(viewer.page.getByTestId('whatif-disabled'), text => text.includes(reason), { what: 'disabled reason' });
    equal(await viewer.page.getByRole('button', { name: 'Save simulation' }).isDisabled(), true, 'Save simulation disabled');
    equal(await viewer.page.locator('#finops-sim-code').isDisabled(), true, 'code input disabled');
    await shot(context, 'what-if-viewer', viewer.page);
  });
}
