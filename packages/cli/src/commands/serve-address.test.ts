import { describe, expect, it } from 'vitest';
import { hostFlag, serveAddress } from './serve-address.js';

describe('serveAddress', () => {
  it('should default to 127.0.0.1:7860', () => {
    expect(serveAddress({}, {})).toEqual({ port: 7860, host: '127.0.0.1' });
  });

  it("should read Gradio's variables, E2V's first, and a flag or its alias before both", () => {
    const gradio = { GRADIO_SERVER_PORT: '8000', GRADIO_SERVER_NAME: '0.0.0.0' };
    expect(serveAddress({}, gradio)).toEqual({ port: 8000, host: '0.0.0.0' });
    expect(serveAddress({}, { ...gradio, E2V_PORT: '8001', E2V_HOST: 'localhost' })).toEqual({ port: 8001, host: 'localhost' });
    expect(serveAddress({ 'server-port': '8002', 'server-name': '127.0.0.2' }, { ...gradio, E2V_PORT: '8001' })).toEqual({ port: 8002, host: '127.0.0.2' });
    expect(serveAddress({ port: '8003', host: '::1' }, gradio)).toEqual({ port: 8003, host: '::1' });
  });

  it('should take a flag and its alias together when they agree, and count an empty variable as unset', () => {
    expect(serveAddress({ port: '9000', 'server-port': '9000' }, {})).toMatchObject({ port: 9000 });
    expect(serveAddress({}, { E2V_PORT: '', GRADIO_SERVER_PORT: '9001', E2V_HOST: '' })).toEqual({ port: 9001, host: '127.0.0.1' });
  });

  it('should refuse bad values with a usage error naming the flag or variable', () => {
    expect(() => serveAddress({}, { GRADIO_SERVER_PORT: 'http' })).toThrow("GRADIO_SERVER_PORT must be an integer in [0, 65535], not 'http'");
    expect(() => serveAddress({ 'server-port': '70000' }, {})).toThrow(/^--server-port must be an integer/);
    expect(() => serveAddress({}, { GRADIO_SERVER_NAME: 'local host' })).toThrow("GRADIO_SERVER_NAME must be an IP address or a host name, not 'local host'");
    expect(() => serveAddress({ port: '1', 'server-port': '2' }, {})).toThrow(
      expect.objectContaining({ code: 'E2V_ERR_CLI_USAGE', message: '--port 1 contradicts --server-port 2' }) as Error,
    );
  });
});

describe('hostFlag', () => {
  it('should take IP addresses (IPv6 with or without brackets) and host names', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'e2v.example.org', 'my-box']) expect(hostFlag(host, '--host')).toBe(host);
    expect(hostFlag('[::1]', '--host')).toBe('::1');
  });

  it('should refuse what is neither', () => {
    for (const host of ['', ' ', 'localhost:7860', 'http://localhost', '-x', 'a..b', '[localhost]'])
      expect(() => hostFlag(host, '--host'), host).toThrow(/--host must be an IP address or a host name/);
  });
});
