// The checks, page by page, signed in as finance (the load audit as admin). Each reads a figure
// off the page and compares it with the API's answer to the same user's token.
import path from 'node:path';

export const shot = (context, name, page = context.page) =>
  page.screenshot({ path: path.join(context.screenshots, `${name}.png`), fullPage: true });

export async function checkPages(context) {
  const { page, api, as, appUrl, tally, money, total, largestCurrency, Big, waitForText, equal } = context;
  const byMonth = await api.get('/costs', { group_by: 'month' });
  const month = byMonth.to;
  const currency = largestCurrency(byMonth.rows);
  const views = (await api.get('/pricing-views')).rows;
  const budget = views.find(view => view.code === 'budget') ?? views.find(view => view.kind === 'rate_card') ?? views.find(view => view.code === 'actual-rate');
  const monthTotal = async view => {
    const rows = (await api.get('/costs', { view, group_by: 'month' })).rows;
    const shown = largestCurrency(rows);
    return money(total(rows, row => row.currency === shown && row.month === month), shown);
  };

  await tally.run(`Overview as finance: the ${month} total is the API's, the organisation's (actual, ${currency})`, async () => {
    await page.goto(`${appUrl}/finops/overview`);
    const cell = page.getByTestId(`period-total-${month}`);
    const expected = await monthTotal('actual');
    await waitForText(cell, text => text === expected, { what: `total of ${month}` });
    // the chart named for a screen reader, its description ending with the month's total
    // (the legend's icons are SVGs too, untitled)
    const chart = page.locator('svg.recharts-surface').filter({ has: page.locator('title', { hasText: 'Costs by month' }) });
    await waitForText(chart.locator(':scope > title'), text => text === `Costs by month in ${currency}, stacked by domain`, { what: 'chart title' });
    await waitForText(chart.locator(':scope > desc'), text => text.endsWith(`${month}: ${expected}`), { what: 'chart description' });
    await shot(context, 'overview');
  });

  await tally.run(`Overview: Export CSV downloads the API's rows, the ${month} total to the cent`, async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const [header, ...lines] = (await (await download.createReadStream()).toArray()).join('').trim().split('\n');
    const columns = header.split(',');
    const at = name => columns.indexOf(name);
    const rows = lines.map(line => line.split(',')).filter(cells => cells[at('month')] === month && cells[at('currency')] === currency);
    equal(money(total(rows.map(cells => ({ cost: cells[at('cost')] }))), currency), await monthTotal('actual'), 'exported total');
  });

  await tally.run(`Overview: switching to the ${budget.code} view shows its total, kept in the URL`, async () => {
    await page.selectOption('#finops-view', budget.code);
    const expected = await monthTotal(budget.code);
    await waitForText(page.getByTestId(`period-total-${month}`), text => text === expected, { what: `${budget.code} total` });
    if (!page.url().includes(`view=${budget.code}`)) throw new Error(`URL has no view: ${page.url()}`);
    await page.reload();
    await waitForText(page.getByTestId(`period-total-${month}`), text => text === expected, { what: 'total after reload' });
  });

  await tally.run(`Overview: amounts in ${budget.currency ?? currency} add what was billed in every currency, the ${month} total the API's converted one`, async () => {
    const target = budget.currency ?? currency;
    await page.goto(`${appUrl}/finops/overview?view=actual`);
    await page.selectOption('#finops-in-currency', target);
    const rows = (await api.get('/costs', { group_by: 'month', in_currency: target })).rows;
    const expected = money(total(rows, row => row.month === month), target);
    await waitForText(page.getByTestId(`period-total-${month}`), text => text === expected, { what: `converted total of ${month}` });
    await waitForText(page.getByTestId('converted'), text => text.startsWith(`Every amount in ${target}`), { what: 'conversion note' });
  });

  // the compare table's title ends with both sides' totals in the currency shown (its largest)
  const compareTitle = () => page.locator('h2, h5, h6').filter({ hasText: 'against' });
  const compareTotals = rows => {
    const shown = largestCurrency(rows);
    const kept = rows.filter(row => row.currency === shown);
    // a side no row has is "no cost" (the budget prices in one currency); rows without it add nothing
    const side = (key, priced) => {
      const present = kept.filter(row => row[priced] !== null);
      return present.length === 0 ? 'no cost' : money(total(present.map(row => ({ cost: row[key] }))), shown);
    };
    return `${side('cost', 'priced')} vs ${side('against_cost', 'against_priced')}`;
  };

  await tally.run(`Compare: actual against ${budget.code} per family, totals as the API's`, async () => {
    await page.goto(`${appUrl}/finops/compare?against=${budget.code}&from=${month}&to=${month}`);
    const report = await api.get('/costs/compare', { against: budget.code, from: month, to: month, group_by: 'family' });
    const expected = compareTotals(report.rows);
    await waitForText(compareTitle(), text => text.endsWith(expected), { what: 'compare title' });
    const target = budget.currency ?? currency;
    await page.selectOption('#finops-in-currency', target);
    const converted = await api.get('/costs/compare', {
      against: budget.code, from: month, to: month, group_by: 'family', in_currency: target,
    });
    equal([...new Set(converted.rows.map(row => row.currency))].join(), target, 'the converted rows\' currency');
    const convertedTotals = compareTotals(converted.rows);
    await waitForText(compareTitle(), text => text.endsWith(convertedTotals), { what: `compare title in ${target}` });
    await waitForText(page.getByTestId('converted'), text => text.startsWith(`Every amount in ${target}`), { what: 'conversion note' });
    await page.selectOption('#finops-mode', 'periods');
    await waitForText(page.getByText(/^Variance bridge/), () => true, { what: 'variance bridge' });
    await page.waitForSelector('.recharts-bar-rectangle');
    await shot(context, 'compare');
  });

  await tally.run('What-if: +10 % on one family previews exactly +10 % on it, nothing elsewhere and the total raised by as much; save, list, delete', async () => {
    const families = (await api.get('/costs', { from: month, to: month, group_by: 'family', currency })).rows
      .sort((a, b) => new Big(b.cost).cmp(a.cost));
    const [target, other] = families;
    const code = `sim-e2e-plus-10-${Date.now()}`;
    await page.goto(`${appUrl}/finops/what-if`);
    await page.fill('#finops-sim-code', code);
    await page.fill('#finops-sim-name', `${target.family} plus 10 %`);
    await page.waitForSelector('#finops-adjustment-0-code option', { state: 'attached' });
    await page.selectOption('#finops-adjustment-0-level', 'family');
    await page.selectOption('#finops-adjustment-0-code', target.family);
    await page.fill('#finops-adjustment-0-value', '10');
    await page.fill('#finops-preview-from', month);
    await page.fill('#finops-preview-to', month);
    await page.getByRole('button', { name: 'Preview' }).click();
    const cell = (kind, family) => page.getByTestId(`preview-${kind}-${family}-${currency}`);
    await waitForText(cell('base', target.family), text => text === money(target.cost), { what: `base of ${target.family}` });
    await waitForText(cell('simulated', target.family), text => text === money(new Big(target.cost).times('1.1')), { what: 'simulated' });
    await waitForText(cell('simulated', other.family), text => text === money(other.cost), { what: `${other.family} unchanged` });
    const base = total(families);
    const raised = new Big(target.cost).times('0.1');
    await waitForText(
      page.getByTestId(`preview-total-${currency}`),
      text => text.startsWith(`Total ${currency}: ${money(base, currency)} under actual, ${money(new Big(base).plus(raised), currency)} simulated (${money(raised)},`),
      { what: `the ${currency} total, raised by 10 % of ${target.family} alone` },
    );
    await shot(context, 'what-if');
    equal(await page.getByTestId('whatif-disabled').count(), 0, 'the form is open to finance');
    await page.getByRole('button', { name: 'Save simulation' }).click();
    await waitForText(page.getByTestId('whatif-saved'), text => text.includes(code), { what: 'saved' });
    const compared = (await api.get('/costs/compare', { view: code, against: 'actual', from: month, to: month, group_by: 'family', currency })).rows;
    const saved = compared.find(row => row.family === target.family);
    equal(new Big(saved.cost).eq(new Big(saved.against_cost).times('1.1')), true, `saved ${saved.cost} = 1.1 x ${saved.against_cost}`);
    equal(new Big(compared.find(row => row.family === other.family).delta).eq(0), true, `${other.family} delta is 0`);
    await page.getByRole('button', { name: `delete ${code}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click(); // it asks first
    const deadline = Date.now() + 10_000;
    while ((await api.get('/pricing-views')).rows.some(view => view.code === code)) {
      if (Date.now() > deadline) throw new Error(`${code} still listed after delete`);
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  });

  await tally.run('Allocation explain: the page shows the API\'s shares for an application and month', async () => {
    const application = 'payments';
    const explained = await api.get('/allocations/explain', { application, month });
    await page.goto(`${appUrl}/finops/allocation?application=${application}&month=${month}`);
    if (explained.rows.length === 0) {
      await waitForText(page.getByTestId('allocation-empty'), text => text.includes(application), { what: 'empty state' });
    } else {
      const first = explained.rows[0];
      await waitForText(page.getByText(first.rule).first(), () => true, { what: `rule ${first.rule}` });
      await waitForText(page.getByText(money(first.cost)).first(), () => true, { what: `share cost ${first.cost}` });
    }
    await shot(context, 'allocation');
  });

  await tally.run('Data quality as admin: rows read per source are the load audit\'s', async () => {
    const loads = (await as.admin.api.get('/loads', { month })).rows;
    const { page: adminPage } = as.admin;
    await adminPage.goto(`${appUrl}/finops/quality?month=${month}`);
    for (const load of loads) {
      // The row's cells in order: source, load, rows read, loaded, rejected (counts as the page groups them: 20,000).
      const count = value => value.toLocaleString('en-US');
      const cells = `${load.source}${load.load_id}${count(load.rows_read)}${count(load.rows_loaded)}${count(load.rows_rejected)}`;
      const row = adminPage.locator('tr').filter({ hasText: new RegExp(`^${cells}`) });
      await waitForText(row, text => text.startsWith(cells), { what: `load ${load.load_id} (${cells})` });
    }
    await waitForText(adminPage.getByText(/^Price coverage/), () => true, { what: 'price coverage' });
    await shot(context, 'data-quality', adminPage);
  });

  let entityShot = false;
  await tally.run("Costs tab of component:default/payments shows payments' costs", async () => {
    const applications = (await api.get('/applications')).rows;
    const payments = applications.find(app => app.entity_ref === 'component:default/payments');
    if (!payments) return 'no application of the demo catalog has entity_ref component:default/payments';
    const rows = (await api.get('/costs', { application: payments.code, group_by: 'month' })).rows;
    const shown = largestCurrency(rows);
    const last = rows.filter(row => row.currency === shown);
    const expected = money(last[last.length - 1].cost, shown);
    await page.goto(`${appUrl}/dev-entity?entity=component:default/payments`);
    await waitForText(page.getByTestId(`entity-month-${last[last.length - 1].month}`), text => text === expected, { what: 'payments last month' });
    await shot(context, 'entity-costs');
    entityShot = true;
    return undefined;
  });

  await tally.run('Costs tab of an annotated component (finops/application: checkout) shows its costs', async () => {
    const rows = (await api.get('/costs', { application: 'checkout', group_by: 'month' })).rows;
    const currencyOf = largestCurrency(rows);
    const expected = money(total(rows, row => row.currency === currencyOf), currencyOf);
    await page.goto(`${appUrl}/dev-entity?entity=component:default/checkout-web`);
    await waitForText(page.getByTestId('entity-total'), text => text === expected, { what: 'checkout total' });
    if (!(await page.getByTestId('entity-applications').textContent()).includes('finops/application annotation')) {
      throw new Error('the page does not say the annotation resolved the application');
    }
    if (!entityShot) await shot(context, 'entity-costs');
  });

  await tally.run('The Costs tab of group:default/payments-team lists the applications it owns, with their total', async () => {
    const group = 'group:default/payments-team';
    const owned = (await api.get('/applications', { owner: group })).rows.map(app => app.code);
    if (owned.length === 0) return `no application of the demo catalog is owned by ${group}`;
    const rows = (await api.get('/costs', { application: owned.join(','), group_by: 'month' })).rows;
    const shown = largestCurrency(rows);
    await page.goto(`${appUrl}/dev-entity?entity=${group}`);
    await waitForText(page.getByTestId('entity-applications'), text => text.includes(`Applications: ${owned.join(', ')}`), { what: 'owned applications' });
    await waitForText(page.getByTestId('entity-total'), text => text === money(total(rows, row => row.currency === shown), shown), { what: 'group total' });
    return undefined;
  });

  await tally.run('An unknown component gets the empty state naming the annotation', async () => {
    await page.goto(`${appUrl}/dev-entity?entity=component:default/new-service`);
    await waitForText(page.getByTestId('entity-no-costs'), text => text.includes('finops/application'), { what: 'card empty state' });
    await waitForText(page.getByText('No FinOps application for component:default/new-service').last(), () => true, { what: 'tab empty state' });
  });
}
