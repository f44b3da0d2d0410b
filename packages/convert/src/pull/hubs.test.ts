import { describe, expect, it } from 'vitest';
import { fileUrl, filesPageUrl, linkedSize, listingUrl, normalizeSha256, parseListing, resolveEndpoints, resolveSource, shaFromHeaders } from './hubs.js';
import { findModel, loadRegistry } from '@e2v/core';

const SHA = 'be501a01f26fcdc7663a062dff86af839afbaef7c4de32f5e42d7e1ad2784da4';
const large = findModel('emotion2vec_plus_large', loadRegistry());

describe('normalizeSha256', () => {
  it.each([
    [SHA, SHA],
    [`"${SHA}"`, SHA],
    [`W/"${SHA.toUpperCase()}"`, SHA],
    [`sha256:${SHA}`, SHA],
    ['"0123456789abcdef0123456789abcdef01234567"', null], // git sha1 ETag of a plain file
    ['"d41d8cd98f00b204e9800998ecf8427e"', null], // md5-style CDN ETag
    [null, null],
  ])('should read %s as %s', (input, out) => {
    expect(normalizeSha256(input)).toBe(out);
  });
});

describe('resolveSource / resolveEndpoints', () => {
  it('should prefer the explicit choice, then E2V_MODEL_SOURCE, then Hugging Face', () => {
    expect(resolveSource(undefined, {})).toBe('huggingface');
    expect(resolveSource(undefined, { E2V_MODEL_SOURCE: 'modelscope' })).toBe('modelscope');
    expect(resolveSource(undefined, { E2V_MODEL_SOURCE: 'MS' })).toBe('modelscope');
    expect(resolveSource('huggingface', { E2V_MODEL_SOURCE: 'modelscope' })).toBe('huggingface');
    expect(() => resolveSource(undefined, { E2V_MODEL_SOURCE: 'github' })).toThrow(
      expect.objectContaining({ code: 'E2V_ERR_PULL_CONFIG', message: expect.stringContaining('E2V_MODEL_SOURCE') }),
    );
  });

  it('should read HF_ENDPOINT and MODELSCOPE_ENDPOINT without trailing slashes', () => {
    expect(resolveEndpoints({})).toEqual({ huggingface: 'https://huggingface.co', modelscope: 'https://www.modelscope.cn' });
    expect(resolveEndpoints({ HF_ENDPOINT: 'http://127.0.0.1:9/', MODELSCOPE_ENDPOINT: 'http://m.example/' })).toEqual({
      huggingface: 'http://127.0.0.1:9',
      modelscope: 'http://m.example',
    });
    expect(() => resolveEndpoints({ HF_ENDPOINT: 'ftp://x' })).toThrow(/HF_ENDPOINT must be an http\(s\) URL/);
    expect(() => resolveEndpoints({ HF_ENDPOINT: 'not a url' })).toThrow(/HF_ENDPOINT is not a URL/);
  });
});

describe('URL layouts', () => {
  const ep = { huggingface: 'https://hf.example', modelscope: 'https://ms.example' };
  it('should build the Hugging Face resolve and tree URLs', () => {
    expect(fileUrl('huggingface', large, 'model.pt', ep)).toBe('https://hf.example/emotion2vec/emotion2vec_plus_large/resolve/main/model.pt');
    expect(listingUrl('huggingface', large, ep)).toBe('https://hf.example/api/models/emotion2vec/emotion2vec_plus_large/tree/main');
    expect(filesPageUrl('huggingface', large)).toBe('https://huggingface.co/emotion2vec/emotion2vec_plus_large/tree/main');
  });
  it('should build the ModelScope repo and files URLs', () => {
    expect(fileUrl('modelscope', large, 'config.yaml', ep)).toBe(
      'https://ms.example/api/v1/models/iic/emotion2vec_plus_large/repo?Revision=master&FilePath=config.yaml',
    );
    expect(listingUrl('modelscope', large, ep)).toBe('https://ms.example/api/v1/models/iic/emotion2vec_plus_large/repo/files?Revision=master');
    expect(filesPageUrl('modelscope', large)).toBe('https://www.modelscope.cn/models/iic/emotion2vec_plus_large/files');
  });
});

describe('parseListing', () => {
  it('should read lfs.oid and sizes from a Hugging Face tree listing', () => {
    const m = parseListing('huggingface', [
      { type: 'file', path: 'model.pt', size: 1945790254, oid: 'abc', lfs: { oid: SHA, size: 1945790254, pointerSize: 134 } },
      { type: 'file', path: 'tokens.txt', size: 119, oid: '0123456789abcdef0123456789abcdef01234567' },
      { type: 'directory', path: 'example', oid: 'x' },
    ]);
    expect(m.get('model.pt')).toEqual({ sha256: SHA, size: 1945790254 });
    expect(m.get('tokens.txt')).toEqual({ sha256: null, size: 119 });
    expect(m.has('example')).toBe(false);
  });
  it('should read Sha256 from a ModelScope files listing', () => {
    const m = parseListing('modelscope', {
      Code: 200,
      Data: {
        Files: [
          { Name: 'model.pt', Path: 'model.pt', Size: 42, Sha256: SHA, Type: 'blob' },
          { Name: 'x', Path: 'x', Type: 'tree' },
        ],
      },
    });
    expect(m.get('model.pt')).toEqual({ sha256: SHA, size: 42 });
    expect(m.has('x')).toBe(false);
  });
  it('should give an empty map for shapes it does not know', () => {
    expect(parseListing('huggingface', { error: 'x' }).size).toBe(0);
    expect(parseListing('modelscope', [1, 2]).size).toBe(0);
  });
});

describe('shaFromHeaders', () => {
  const h = (o: Record<string, string>): Headers => new Headers(o);
  it('should take X-Linked-Etag from any hop of the redirect chain', () => {
    const hops = [
      { url: 'https://hf.example/r/resolve/main/model.pt', headers: h({ 'x-linked-etag': `"${SHA}"`, 'x-linked-size': '77' }) },
      { url: 'https://cdn.example/blob', headers: h({ etag: '"cdn"' }) },
    ];
    expect(shaFromHeaders(hops, 'https://hf.example')).toEqual({ sha256: SHA, source: 'x-linked-etag' });
    expect(linkedSize(hops)).toBe(77);
  });
  it('should trust a sha256 ETag only on the hub origin', () => {
    const onCdn = [{ url: 'https://cdn.example/blob', headers: h({ etag: `"${SHA}"` }) }];
    expect(shaFromHeaders(onCdn, 'https://hf.example')).toBeNull();
    const onHub = [{ url: 'https://hf.example/r/resolve/main/model.pt', headers: h({ etag: `"${SHA}"` }) }];
    expect(shaFromHeaders(onHub, 'https://hf.example')).toEqual({ sha256: SHA, source: 'etag' });
    expect(shaFromHeaders(onHub, null)).toBeNull();
  });
});
