import { describe, expect, expectTypeOf, it } from 'vitest';
import { assertPlugin, definePlugin } from './define.js';
import { PluginConfigError } from './errors.js';
import type { HookContext } from './types.js';

describe('definePlugin', () => {
  it('should return its argument and infer the option and state types', () => {
    const plugin = definePlugin({
      name: 'typed',
      parseOptions: (raw: unknown) => ({ threshold: Number((raw as { threshold?: unknown }).threshold ?? 0.5) }),
      setup: (_ctx, options) => ({ seen: 0, threshold: options.threshold }),
      hooks: {
        onResult(event, ctx) {
          expectTypeOf(ctx).toEqualTypeOf<HookContext<{ threshold: number }, { seen: number; threshold: number }>>();
          ctx.state.seen++;
          return { low: event.result.confidence < ctx.options.threshold };
        },
      },
      close: (ctx) => {
        expectTypeOf(ctx.state.seen).toBeNumber();
      },
    });
    expect(assertPlugin(plugin, 'typed')).toBe(plugin);
    expectTypeOf(plugin.parseOptions).returns.toEqualTypeOf<{ threshold: number }>();
  });

  it('should accept declared option types', () => {
    const plugin = definePlugin<{ url: string }, undefined>({
      name: 'declared',
      setup: () => undefined,
      hooks: { onError: (_e, ctx) => void ctx.options.url },
    });
    expectTypeOf(plugin).toHaveProperty('setup');
    expect(plugin.name).toBe('declared');
  });
});

describe('assertPlugin', () => {
  it.each([
    [null, /expected a plugin object but got null/],
    [{ name: 'a b' }, /"name" must match/],
    [{ name: '..' }, /"name" must match/],
    [{ name: 'x', version: 1 }, /"version" must be a string/],
    [{ name: 'x', dependencies: 'y' }, /"dependencies"/],
    [{ name: 'x', setup: 'no' }, /"setup" must be a function/],
    [{ name: 'x', hooks: [] }, /"hooks" must be an object/],
    [{ name: 'x', hooks: { onresult() {} } }, /unknown hook "onresult"/],
    [{ name: 'x', onResult() {} }, /unknown property "onResult"/],
  ])('should reject %o', (value, message) => {
    const error = (() => {
      try {
        assertPlugin(value, 'spec', '/x/y.js');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'E2V_ERR_PLUGIN_INVALID', plugin: 'spec', message: expect.stringMatching(message) });
    expect((error as Error).message).toMatch(/^spec \(\/x\/y\.js\) is not a valid e2v plugin/);
  });

  it('should accept good names', () => {
    for (const name of ['a', 'low-confidence', 'acme.alerts_2', 'A1']) expect(assertPlugin({ name }, name).name).toBe(name);
  });
});
