import type { VarianceRow } from '../api/types';
import { bridgeSteps, shownEffects } from './compare/VarianceBridge';

const row = (fields: Partial<VarianceRow>): VarianceRow => ({
  currency: 'USD', cost: '0', against_cost: '0', delta: '0', volume: '0', mix: '0', price: '0', fx: '0',
  unsplit: '0', new: '0', retired: '0', priced: true, ...fields,
});

describe('bridgeSteps', () => {
  it('adds an FX step when the exchange rates moved, and the steps add up to after', () => {
    // billing in USD, converted: 6.875 -> 5.30, FX 0.425, new 0.20, retired -2.20
    const rows = [row({ against_cost: '6.875', cost: '5.30', delta: '-1.575', fx: '0.425', new: '0.20', retired: '-2.20' })];
    const steps = bridgeSteps(rows) ?? [];
    expect(steps.map(step => [step.label, step.value])).toEqual([
      ['before', '6.875'], ['volume', '0'], ['mix', '0'], ['price', '0'], ['FX', '0.425'],
      ['unsplit', '0'], ['new', '0.2'], ['retired', '-2.2'], ['after', '5.3'],
    ]);
  });

  it('has no FX step when amounts are not converted', () => {
    const steps = bridgeSteps([row({ against_cost: '10', cost: '12', delta: '2', price: '2', fx: '0.00' })]) ?? [];
    expect(steps.map(step => step.label)).toEqual(['before', 'volume', 'mix', 'price', 'unsplit', 'new', 'retired', 'after']);
  });

  it('leaves out of the table the effects that are 0 in every row', () => {
    const rows = [row({ volume: '2', price: '1.2' }), row({ price: '-0.5', new: '5.00' })];
    expect(shownEffects(rows)).toEqual(['volume', 'price', 'new']);
  });
});
