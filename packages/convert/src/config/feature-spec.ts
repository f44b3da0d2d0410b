/**
 * A safe parser for `feature_encoder_spec`, the Python expression fairseq
 * evaluates to get the conv feature extractor, e.g.
 * `[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512,2,2)] + [(512,2,2)]`.
 * Only this grammar is accepted (nothing is evaluated):
 * ```
 * spec  := term ('+' term)*
 * term  := factor ('*' factor)*        exactly one factor is a list, the others are repeat counts
 * factor:= list | INT
 * list  := '[' (tuple (',' tuple)* ','?)? ']'
 * tuple := '(' INT ',' INT ',' INT ','? ')'   (channels, kernel, stride)
 * ```
 * @module
 */
import { ConfigError } from '../errors.js';
import type { ConvLayerSpec } from './types.js';

/** Most conv layers a spec may describe (the real model has 7). */
export const MAX_CONV_LAYERS = 64;

type Token = { kind: 'int'; value: number; at: number } | { kind: 'punct'; value: string; at: number };

function fail(text: string, message: string, at?: number): never {
  const where = at === undefined ? '' : ` at column ${at + 1}`;
  throw new ConfigError('E2V_ERR_CONFIG_FEATURE_SPEC', `feature_encoder_spec '${text}': ${message}${where}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const ch = text[pos]!;
    if (/\s/.test(ch)) {
      pos++;
    } else if (/[0-9]/.test(ch)) {
      const start = pos;
      while (pos < text.length && /[0-9]/.test(text[pos]!)) pos++;
      const value = Number(text.slice(start, pos));
      if (!Number.isSafeInteger(value)) fail(text, 'number too large', start);
      tokens.push({ kind: 'int', value, at: start });
    } else if ('[](),+*'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch, at: pos++ });
    } else {
      fail(text, `unexpected character '${ch}'`, pos);
    }
  }
  return tokens;
}

/**
 * Parses a `feature_encoder_spec` string.
 * @param text the spec as written in config.yaml
 * @returns one (channels, kernel, stride) triple per conv layer, all positive integers
 * @throws ConfigError E2V_ERR_CONFIG_FEATURE_SPEC for anything outside the grammar, non-positive
 *   values, an empty list or more than {@link MAX_CONV_LAYERS} layers
 */
export function parseFeatureEncoderSpec(text: string): ConvLayerSpec[] {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const atOf = (token: Token | undefined): number | undefined => token?.at;
  const expect = (value: string): void => {
    const token = tokens[pos];
    if (token?.kind !== 'punct' || token.value !== value) fail(text, `expected '${value}'`, atOf(token) ?? text.length);
    pos++;
  };
  const int = (): number => {
    const token = tokens[pos];
    if (token?.kind !== 'int') fail(text, 'expected an integer', atOf(token) ?? text.length);
    if (token.value < 1) fail(text, 'values must be positive', token.at);
    pos++;
    return token.value;
  };
  const isPunct = (value: string): boolean => {
    const token = peek();
    return token?.kind === 'punct' && token.value === value;
  };
  const tuple = (): ConvLayerSpec => {
    expect('(');
    const channels = int();
    expect(',');
    const kernel = int();
    expect(',');
    const stride = int();
    if (isPunct(',')) pos++;
    expect(')');
    return [channels, kernel, stride];
  };
  const list = (): ConvLayerSpec[] => {
    expect('[');
    const items: ConvLayerSpec[] = [];
    while (!isPunct(']')) {
      items.push(tuple());
      if (!isPunct(',')) break;
      pos++;
    }
    expect(']');
    return items;
  };
  const term = (): ConvLayerSpec[] => {
    let items: ConvLayerSpec[] | undefined;
    let repeat = 1;
    const start = atOf(peek());
    for (;;) {
      if (isPunct('[')) {
        if (items !== undefined) fail(text, 'a list multiplied by a list', atOf(peek()));
        items = list();
      } else {
        repeat *= int();
        if (repeat > MAX_CONV_LAYERS) fail(text, `more than ${MAX_CONV_LAYERS} layers`, start);
      }
      if (!isPunct('*')) break;
      pos++;
    }
    if (items === undefined) fail(text, 'a term without a list', start);
    if (items.length * repeat > MAX_CONV_LAYERS) fail(text, `more than ${MAX_CONV_LAYERS} layers`, start);
    return Array.from({ length: repeat }, () => items).flat();
  };
  const layers = term();
  while (isPunct('+')) {
    pos++;
    layers.push(...term());
    if (layers.length > MAX_CONV_LAYERS) fail(text, `more than ${MAX_CONV_LAYERS} layers`);
  }
  if (pos < tokens.length) fail(text, 'unexpected input', tokens[pos]!.at);
  if (layers.length === 0) fail(text, 'no conv layers');
  return layers;
}
