import { describe, expect, it } from 'vitest';
import { reconnectDelay, redactRedisUrl, resolveRedisUrl } from './redis-url.js';

describe('resolveRedisUrl', () => {
  it('should prefer the flag, else take E2V_REDIS_URL, else give undefined', () => {
    expect(resolveRedisUrl('redis://a:1', { E2V_REDIS_URL: 'redis://b:2' })).toBe('redis://a:1');
    expect(resolveRedisUrl(undefined, { E2V_REDIS_URL: 'rediss://u:p@b:2' })).toBe('rediss://u:p@b:2');
    expect(resolveRedisUrl(undefined, {})).toBeUndefined();
  });

  it('should refuse another scheme or a non-URL without showing the password', () => {
    expect(() => resolveRedisUrl('http://x:1', {})).toThrow(expect.objectContaining({ code: 'E2V_ERR_QUEUE_URL' }));
    expect(() => resolveRedisUrl('u:secret@nowhere', {})).toThrow(/^(?!.*secret)/);
  });
});

describe('redactRedisUrl', () => {
  it('should hide user and password and keep host, port and database', () => {
    expect(redactRedisUrl('redis://default:s3cret@10.0.0.1:6379/2')).toBe('redis://***@10.0.0.1:6379/2');
    expect(redactRedisUrl('rediss://:s3cret@h:6380')).toBe('rediss://***@h:6380');
    expect(redactRedisUrl('redis://h:6379')).toBe('redis://h:6379');
  });
});

describe('reconnectDelay', () => {
  it('should double from 100 ms and stay capped at 2 s', () => {
    expect([1, 2, 3, 5, 50].map(reconnectDelay)).toEqual([100, 200, 400, 1600, 2000]);
  });
});
