import Big from 'big.js';

// Amounts arrive as exact decimal strings. They are added with big.js and rounded only for
// display; a chart gets a JavaScript number for its geometry, never a table or a total.

export type Amount = string | null | undefined;

/** The exact sum of amounts; null when any of them is null (unpriced stays unpriced). */
export function sum(values: Amount[]): string | null {
  let total = new Big(0);
  for (const value of values) {
    if (value === null || value === undefined) return null;
    total = total.plus(value);
  }
  return total.toString();
}

export function minus(a: Amount, b: Amount): string | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  return new Big(a).minus(b).toString();
}

export function times(a: Amount, factor: string): string | null {
  if (a === null || a === undefined) return null;
  return new Big(a).times(factor).toString();
}

/** a / b to 6 decimals, as the API's ratio; null when b is 0 or missing. */
export function ratio(a: Amount, b: Amount): string | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const divisor = new Big(b);
  if (divisor.eq(0)) return null;
  return new Big(a).div(divisor).round(6, Big.roundHalfUp).toString();
}

export function compare(a: Amount, b: Amount): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return new Big(a).cmp(b);
}

/** Amounts compared by their size, whatever their sign (a change of -51 is larger than one of +3). */
export function compareSize(a: Amount, b: Amount): number {
  return compare(a === null || a === undefined ? a : new Big(a).abs().toString(), b === null || b === undefined ? b : new Big(b).abs().toString());
}

function grouped(fixed: string): string {
  const [integer = '0', fraction] = fixed.split('.');
  const sign = integer.startsWith('-') ? '-' : '';
  const digits = sign ? integer.slice(1) : integer;
  const withCommas = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${withCommas}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** 684972.7621 -> "684,972.76"; null -> "unpriced". Rounded half up at display time only. */
export function formatAmount(value: Amount, decimals = 2): string {
  if (value === null || value === undefined) return 'unpriced';
  const fixed = new Big(value).toFixed(decimals, Big.roundHalfUp);
  return grouped(/^-0(\.0*)?$/.test(fixed) ? fixed.slice(1) : fixed); // -0.001 is 0.00, not -0.00
}

export function formatMoney(value: Amount, currency: string): string {
  return value === null || value === undefined ? 'unpriced' : `${formatAmount(value)} ${currency}`;
}

/** "0.838611" -> "83.9 %". */
export function formatRatio(value: Amount): string {
  if (value === null || value === undefined) return '–';
  return `${new Big(value).times(100).toFixed(1, Big.roundHalfUp)} %`;
}

/** For chart geometry only. */
export function toNumber(value: Amount): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** A quantity or a weight as exact as the API gave it, thousands separated: "322,500.5". */
export function formatQuantity(value: Amount): string {
  if (value === null || value === undefined) return '–';
  return grouped(new Big(value).toString());
}
