import { compare, compareSize, formatAmount, formatMoney, formatRatio, minus, ratio, sum } from './money';

describe('money', () => {
  it('adds decimal strings exactly', () => {
    expect(sum(['0.1', '0.2'])).toBe('0.3');
    expect(sum(['684972.7621212918', '219589.4891879078'])).toBe('904562.2513091996');
    expect(sum([])).toBe('0');
  });

  it('keeps unpriced unpriced', () => {
    expect(sum(['1', null])).toBeNull();
    expect(minus('5', null)).toBeNull();
    expect(formatMoney(null, 'EUR')).toBe('unpriced');
  });

  it('rounds half up at display time only, with thousands separators', () => {
    expect(formatAmount('1234567.125')).toBe('1,234,567.13');
    expect(formatAmount('-1234.005')).toBe('-1,234.01');
    expect(formatAmount('999.994')).toBe('999.99');
    expect(formatMoney('10.1875', 'EUR')).toBe('10.19 EUR');
    expect(formatAmount('-0.001')).toBe('0.00'); // a change that rounds to nothing has no sign
    expect(formatAmount('-0.005')).toBe('-0.01');
  });

  it('orders changes by their size, a cut as large as a rise of the same amount, unpriced last', () => {
    const deltas = ['3.00', '-51471.62', null, '0', '-16916.64', '20000'];
    expect([...deltas].sort((a, b) => compareSize(b, a))).toEqual(['-51471.62', '20000', '-16916.64', '3.00', '0', null]);
  });

  it('answers ratios like the API: 6 decimals, none against zero', () => {
    expect(ratio('30.19', '36.00')).toBe('0.838611');
    expect(ratio('1', '0')).toBeNull();
    expect(formatRatio('0.838611')).toBe('83.9 %');
  });

  it('orders amounts numerically, not as text', () => {
    expect(['9', '10', '-2'].sort(compare)).toEqual(['-2', '9', '10']);
  });
});
