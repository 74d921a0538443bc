import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config.ts';
import { PorticoError } from '../../src/lib/errors.ts';

describe('configuration', () => {
  it('has embedded defaults', () => {
    const config = loadConfig({}, '/srv/portico');
    expect(config).toEqual({
      port: 4321,
      host: '127.0.0.1',
      dataDir: '/srv/portico/.data',
      contentDir: '/srv/portico/content',
      cacheDir: '/srv/portico/.data/cache',
      databaseUrl: undefined,
      publicUrl: 'http://127.0.0.1:4321',
      offline: false,
    });
  });

  it('reads every documented setting', () => {
    const config = loadConfig(
      { PORT: '8000', HOST: '0.0.0.0', PORTICO_DATA_DIR: '/var/lib/portico', PORTICO_CONTENT_DIR: 'repo', DATABASE_URL: 'postgres://db/portico', PORTICO_PUBLIC_URL: 'https://developer.example.com/', PORTICO_OFFLINE: '1' },
      '/srv',
    );
    expect(config).toMatchObject({ port: 8000, host: '0.0.0.0', dataDir: '/var/lib/portico', contentDir: path.resolve('/srv/repo'), databaseUrl: 'postgres://db/portico', publicUrl: 'https://developer.example.com', offline: true });
  });

  it('names every wrong setting in one message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db', PORTICO_PUBLIC_URL: 'ftp://x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PorticoError);
    const message = (error as Error).message;
    expect(message).toContain('PORT="eighty"');
    expect(message).toContain('DATABASE_URL="mysql://db": must be a postgres:// or postgresql:// URL');
    expect(message).toContain('PORTICO_PUBLIC_URL="ftp://x": must be an http:// or https:// URL');
    expect((error as PorticoError).hint).toContain('README');
  });
});
