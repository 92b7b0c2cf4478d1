import { describe, expect, it } from 'vitest';
import { countOf, formatAge } from './format';

describe('formatAge', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const ago = (seconds: number) => formatAge(new Date(now.getTime() - seconds * 1000).toISOString(), now);

  it('says "just now" for the first seconds rather than "0 s ago"', () => {
    expect(ago(0)).toBe('just now');
    expect(ago(9)).toBe('just now');
    expect(ago(42)).toBe('42 s ago');
  });

  it('rounds down to minutes, hours and days', () => {
    expect(ago(150)).toBe('2 min ago');
    expect(ago(3 * 3600 + 10)).toBe('3 h ago');
    expect(ago(3 * 86_400)).toBe('3 d ago');
  });
});

describe('countOf', () => {
  it('agrees the noun with the number', () => {
    expect(countOf(0, 'file')).toBe('0 files');
    expect(countOf(1, 'file')).toBe('1 file');
    expect(countOf(3, 'file')).toBe('3 files');
  });
});
