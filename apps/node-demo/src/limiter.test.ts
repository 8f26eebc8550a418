import { describe, expect, it } from 'vitest';
import { InferenceLimiter } from './limiter.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('InferenceLimiter', () => {
  it('admits concurrency + queue, runs at most concurrency at once, in arrival order', async () => {
    const limiter = new InferenceLimiter(2, 1);
    const tickets = [limiter.tryAdmit(), limiter.tryAdmit(), limiter.tryAdmit()];
    expect(tickets.every((t) => t !== undefined)).toBe(true);
    expect(limiter.tryAdmit()).toBeUndefined();
    const started: number[] = [];
    tickets.forEach((t, i) => {
      void t!.start().then(() => started.push(i));
    });
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.running).toBe(2);
    tickets[1]!.release();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.admitted).toBe(2);
    expect(limiter.tryAdmit()).toBeDefined();
  });

  it('a ticket released while waiting leaves the line and never runs', async () => {
    const limiter = new InferenceLimiter(1, 2);
    const a = limiter.tryAdmit()!;
    const b = limiter.tryAdmit()!;
    const c = limiter.tryAdmit()!;
    const started: string[] = [];
    a.start().then(() => started.push('a'));
    b.start().then(() => started.push('b'));
    c.start().then(() => started.push('c'));
    await tick();
    b.release(); // gave up while queued
    a.release();
    await tick();
    expect(started).toEqual(['a', 'c']);
    expect(limiter.running).toBe(1);
    c.release();
    c.release(); // idempotent
    expect([limiter.running, limiter.admitted]).toEqual([0, 0]);
  });

  it('rejects bad sizes', () => {
    expect(() => new InferenceLimiter(0, 1)).toThrow(RangeError);
    expect(() => new InferenceLimiter(1, -1)).toThrow(RangeError);
  });
});
