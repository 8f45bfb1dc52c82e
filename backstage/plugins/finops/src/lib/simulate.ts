import Big from 'big.js';
import type { Adjustment, CostRow } from '../api/types';

// The API's simulation rule, applied in the browser to preview a simulation before it is saved:
// adjustments apply in list order to each base row in their scope and months;
// percent: cost x (1 + value/100); absolute: cost + quantity x value; price: quantity x value.
// Every adjustment is affine in (cost, quantity), so a row that sums base rows of one product
// and one application gives the same result as the API's per-row evaluation.

export type Scoped = Pick<CostRow, 'month' | 'domain' | 'family' | 'product' | 'application'>;

function inScope(row: Scoped, adjustment: Adjustment): boolean {
  const month = row.month ?? '';
  if (adjustment.from && month < adjustment.from) return false;
  if (adjustment.to && month > adjustment.to) return false;
  return row[adjustment.scope.level] === adjustment.scope.code;
}

/** The simulated cost of a base row; null when unpriced, or when a quantity is needed and the
 * row mixes units (the preview then cannot tell, and says so). */
export function simulatedCost(row: CostRow, adjustments: Adjustment[]): string | null {
  if (row.cost === null) return null;
  let cost = new Big(row.cost);
  for (const adjustment of adjustments) {
    if (!inScope(row, adjustment)) continue;
    if (adjustment.kind === 'percent') {
      cost = cost.times(new Big(100).plus(adjustment.value)).div(100);
    } else {
      if (row.quantity === null) return null;
      const priced = new Big(row.quantity).times(adjustment.value);
      cost = adjustment.kind === 'price' ? priced : cost.plus(priced);
    }
  }
  return cost.toString();
}

/** The group keys a preview must read so that every row is wholly in or out of each scope. */
export const PREVIEW_GROUP_BY = 'month,domain,family,product,application';
