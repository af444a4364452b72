import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

describe('circuit breaker', () => {
  it('opens after the threshold of failures in a row, and a success in between resets the count', () => {
    const breaker = new CircuitBreaker(3, 1000);
    breaker.failed(0);
    breaker.failed(0);
    breaker.succeeded();
    breaker.failed(0);
    breaker.failed(0);
    expect(breaker.allow(0)).toBe(true);
    breaker.failed(0);
    expect(breaker.state(0)).toBe('open');
    expect(breaker.allow(999)).toBe(false);
  });

  it('lets one trial through after the cool-down; its failure opens it again, its success closes it', () => {
    const breaker = new CircuitBreaker(1, 1000);
    breaker.failed(0);
    expect(breaker.allow(1000)).toBe(true);
    expect(breaker.allow(1000)).toBe(false);
    breaker.failed(1000);
    expect(breaker.allow(1500)).toBe(false);
    expect(breaker.allow(2000)).toBe(true);
    breaker.succeeded();
    expect(breaker.state(2000)).toBe('closed');
    expect(breaker.allow(2000)).toBe(true);
  });
});
