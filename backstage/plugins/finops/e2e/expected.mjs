// Expected figures, computed from the API's own answers (never from the page), and formatted
// as a person reads them: 2 decimals rounded half up, thousands separated by commas.
import Big from 'big.js';

export function money(value, currency) {
  if (value === null || value === undefined) return 'unpriced';
  const fixed = new Big(value).toFixed(2, Big.roundHalfUp);
  const [integer, fraction] = fixed.split('.');
  const sign = integer.startsWith('-') ? '-' : '';
  const digits = sign ? integer.slice(1) : integer;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}.${fraction}${currency ? ` ${currency}` : ''}`;
}

/** The exact sum of the rows' costs; null when one is null (the page then says unpriced). */
export function total(rows, predicate = () => true) {
  const costs = rows.filter(predicate).map(row => row.cost);
  if (costs.some(cost => cost === null || cost === undefined)) return null;
  return costs.reduce((sum, cost) => sum.plus(cost), new Big(0)).toString();
}

/** The currency the pages show by default: the one with the largest total over the range. */
export function largestCurrency(rows) {
  return [...new Set(rows.map(row => row.currency))]
    .map(currency => ({ currency, cost: new Big(total(rows.map(row => ({ ...row, cost: row.cost ?? '0' })), row => row.currency === currency)) }))
    .sort((a, b) => b.cost.cmp(a.cost))[0].currency;
}

export class Api {
  /** base: the API's URL; token: the user token it is asked with (Authorization: Bearer). */
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  async get(path, query = {}) {
    const url = new URL(`${this.base}/api/v1${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}
