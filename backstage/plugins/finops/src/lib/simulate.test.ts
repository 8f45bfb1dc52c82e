import type { Adjustment, CostRow } from '../api/types';
import { simulatedCost } from './simulate';

const row = (overrides: Partial<CostRow>): CostRow => ({
  month: '2026-01', family: 'vm', product: 'vm-hours', application: 'payments', currency: 'EUR',
  unit: 'Hours', units: ['Hours'], quantity: '100', cost: '10.00', priced: true, ...overrides,
});
const adjust = (overrides: Partial<Adjustment>): Adjustment => ({
  scope: { level: 'family', code: 'vm' }, kind: 'percent', value: '10', from: null, to: null, ...overrides,
});

describe('simulatedCost', () => {
  it('applies percent, absolute and price as the API documents', () => {
    expect(simulatedCost(row({}), [adjust({})])).toBe('11');
    expect(simulatedCost(row({}), [adjust({ kind: 'absolute', value: '0.02' })])).toBe('12');
    expect(simulatedCost(row({}), [adjust({ kind: 'price', value: '0.25' })])).toBe('25');
  });

  it('applies adjustments in list order', () => {
    const both = [adjust({ kind: 'price', value: '0.20' }), adjust({ value: '50' })];
    expect(simulatedCost(row({}), both)).toBe('30');
  });

  it('leaves rows outside the scope or the months alone', () => {
    expect(simulatedCost(row({ family: 'storage' }), [adjust({})])).toBe('10');
    expect(simulatedCost(row({}), [adjust({ from: '2026-02' })])).toBe('10');
    expect(simulatedCost(row({}), [adjust({ to: '2025-12' })])).toBe('10');
    expect(simulatedCost(row({}), [adjust({ from: '2026-01', to: '2026-01' })])).toBe('11');
  });

  it('keeps an unpriced row unpriced, and cannot price a row of mixed units', () => {
    expect(simulatedCost(row({ cost: null, priced: false }), [adjust({})])).toBeNull();
    expect(simulatedCost(row({ quantity: null, unit: null }), [adjust({ kind: 'price', value: '1' })])).toBeNull();
  });
});
