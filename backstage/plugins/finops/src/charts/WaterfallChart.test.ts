import { bridgeBars } from './WaterfallChart';

describe('bridgeBars', () => {
  it('floats each effect from where the previous ended', () => {
    const bars = bridgeBars([
      { label: 'before', value: '100', total: true },
      { label: 'volume', value: '20' },
      { label: 'price', value: '-30' },
      { label: 'after', value: '90', total: true },
    ]);
    expect(bars.map(bar => [bar.label, bar.range, bar.kind])).toEqual([
      ['before', [81, 100], 'total'],
      ['volume', [100, 120], 'up'],
      ['price', [120, 90], 'down'],
      ['after', [81, 90], 'total'],
    ]);
  });

  it('stands totals on zero when a level is not positive', () => {
    const bars = bridgeBars([
      { label: 'before', value: '10', total: true },
      { label: 'retired', value: '-15' },
      { label: 'after', value: '-5', total: true },
    ]);
    expect(bars[0]?.range).toEqual([0, 10]);
    expect(bars[2]?.range).toEqual([0, -5]);
  });
});
