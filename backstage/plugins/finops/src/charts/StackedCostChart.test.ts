import { periodTotalsText } from './StackedCostChart';

describe('periodTotalsText', () => {
  it("says each period's exact total for a screen reader, unpriced where it is", () => {
    const totals = [
      { period: '2026-01', currency: 'EUR', cost: '150.305' },
      { period: '2026-02', currency: 'EUR', cost: '1234.5' },
      { period: '2026-03', currency: 'EUR', cost: null },
    ];
    expect(periodTotalsText(totals, 'EUR')).toBe('2026-01: 150.31 EUR; 2026-02: 1,234.50 EUR; 2026-03: unpriced');
  });
});
