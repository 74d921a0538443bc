import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, readSettingFiles } from '../../src/lib/config.ts';
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
      adminEmails: [],
      adminGroups: [],
      oidc: undefined,
      github: undefined,
      smtpUrl: undefined,
      mailFrom: 'Portico <portal@localhost>',
      git: { url: undefined, branch: 'main', directory: 'consumers', token: undefined, intervalSeconds: 30 },
      gateways: ['traefik-hub', 'haproxy'],
      gatewaySettings: {},
      ageRecipients: [],
      secrets: { format: 'sops-age' },
      keyPrefix: 'ptc',
      relayAllowPrivate: ['localhost:8080', '127.0.0.1:8080'],
      metricsToken: undefined,
      logFormat: 'json',
      limits: { signupsPerHour: 20, mailsPerHour: 5, tokensPerHour: 20, applicationsPerAccount: 20, keysPerApplication: 10, keysNeedConfirmedEmail: true },
    });
  });

  it('reads every documented setting', () => {
    const config = loadConfig(
      {
        PORT: '8000',
        HOST: '0.0.0.0',
        PORTICO_DATA_DIR: '/var/lib/portico',
        PORTICO_CONTENT_DIR: 'repo',
        DATABASE_URL: 'postgres://db/portico',
        PORTICO_PUBLIC_URL: 'https://developer.example.com/',
        PORTICO_OFFLINE: '1',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      dataDir: '/var/lib/portico',
      contentDir: path.resolve('/srv/repo'),
      databaseUrl: 'postgres://db/portico',
      publicUrl: 'https://developer.example.com',
      offline: true,
    });
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

describe('sign-in settings', () => {
  it('reads admins and identity providers', () => {
    const config = loadConfig({
      PORTICO_ADMIN_EMAILS: 'Ops@Example.com, lead@example.com',
      PORTICO_ADMIN_GROUPS: 'platform',
      PORTICO_OIDC_ISSUER: 'https://idp.example.com/realms/x',
      PORTICO_OIDC_CLIENT_ID: 'portal',
      PORTICO_OIDC_CLIENT_SECRET: 's3cret',
      PORTICO_OIDC_GROUPS_CLAIM: 'roles',
    });
    expect(config.adminEmails).toEqual(['ops@example.com', 'lead@example.com']);
    expect(config.adminGroups).toEqual(['platform']);
    expect(config.oidc).toEqual({
      issuer: 'https://idp.example.com/realms/x',
      clientId: 'portal',
      clientSecret: 's3cret',
      groupsClaim: 'roles',
      scopes: 'openid email profile',
      name: 'single sign-on',
    });
  });

  it('refuses half an OIDC configuration, naming the settings', () => {
    expect(() => loadConfig({ PORTICO_OIDC_ISSUER: 'https://idp.example.com' })).toThrow(/PORTICO_OIDC_ISSUER, PORTICO_OIDC_CLIENT_ID and PORTICO_OIDC_CLIENT_SECRET go together/);
  });

  it('never repeats a secret in its messages', () => {
    expect(() => loadConfig({ PORTICO_GITHUB_CLIENT_ID: 'id', PORTICO_GITHUB_CLIENT_SECRET: '' })).toThrow(/go together/);
    let message = '';
    try {
      loadConfig({ PORTICO_OIDC_ISSUER: 'not a url', PORTICO_OIDC_CLIENT_ID: 'x', PORTICO_OIDC_CLIENT_SECRET: 'hunter2-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORTICO_OIDC_ISSUER="not a url"');
    expect(message).not.toContain('hunter2-secret');
  });
});

describe('GitOps settings', () => {
  it('refuses an unknown gateway and a bad folder, naming them', () => {
    expect(() => loadConfig({ PORTICO_GATEWAYS: 'traefik-hub,envoy-gateway' })).toThrow('PORTICO_GATEWAYS names "envoy-gateway"; the gateways are traefik-hub, haproxy and kong');
    expect(() => loadConfig({ PORTICO_GIT_DIRECTORY: '../outside' })).toThrow('PORTICO_GIT_DIRECTORY="../outside": must be a relative folder such as consumers, without . or ..');
  });

  it('takes kong, with the ingress class its KongConsumers carry, and refuses it beside traefik-hub (one Secret per key)', () => {
    const config = loadConfig({ PORTICO_GATEWAYS: 'kong, haproxy', PORTICO_KONG_INGRESS_CLASS: 'kong-internal' });
    expect([config.gateways, config.gatewaySettings]).toEqual([['kong', 'haproxy'], { PORTICO_KONG_INGRESS_CLASS: 'kong-internal' }]);
    expect(loadConfig({ PORTICO_GATEWAYS: 'haproxy' }).gatewaySettings).toEqual({});
    expect(() => loadConfig({ PORTICO_GATEWAYS: 'kong', PORTICO_KONG_INGRESS_CLASS: 'Kong Internal' })).toThrow(
      'PORTICO_KONG_INGRESS_CLASS="Kong Internal": must be an ingress class name such as kong',
    );
    expect(() => loadConfig({ PORTICO_GATEWAYS: 'traefik-hub,kong' })).toThrow('PORTICO_GATEWAYS names traefik-hub and kong, which both need the key itself in a Secret of the same name');
    expect(() => loadConfig({ PORTICO_GIT_URL: 'https://git.example.com/platform/gitops.git', PORTICO_GATEWAYS: 'kong' })).toThrow(
      'invalid configuration: with PORTICO_GIT_URL and the kong gateway, set PORTICO_AGE_RECIPIENTS to the age key your cluster decrypts Secrets with',
    );
  });

  it("asks for the cluster's age key when grants go to a real remote for Traefik Hub", () => {
    expect(() => loadConfig({ PORTICO_GIT_URL: 'https://git.example.com/platform/gitops.git' })).toThrow(
      'invalid configuration: with PORTICO_GIT_URL and the traefik-hub gateway, set PORTICO_AGE_RECIPIENTS to the age key your cluster decrypts Secrets with',
    );
    expect(loadConfig({ PORTICO_GIT_URL: 'https://git.example.com/platform/gitops.git', PORTICO_GATEWAYS: 'haproxy' }).ageRecipients).toEqual([]);
    // A real recipient, made by the age CLI (Debian's age package).
    const recipient = /# public key: (age1\S+)/.exec(execFileSync('age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))![1]!;
    expect(loadConfig({ PORTICO_GIT_URL: 'https://git.example.com/g.git', PORTICO_AGE_RECIPIENTS: recipient }).ageRecipients).toEqual([recipient]);
    // One character mistyped: the Bech32 checksum says so at start-up, not at the first key.
    const typo = recipient.slice(0, 20) + (recipient[20] === 'q' ? 'p' : 'q') + recipient.slice(21);
    expect(() => loadConfig({ PORTICO_AGE_RECIPIENTS: typo })).toThrow(`"${typo}", whose checksum is wrong (a character was mistyped or lost)`);
    expect(() => loadConfig({ PORTICO_AGE_RECIPIENTS: `age1${'q'.repeat(58)}` })).toThrow('whose checksum is wrong');
    expect(() => loadConfig({ PORTICO_AGE_RECIPIENTS: 'AGE-SECRET-KEY-1XYZ' })).toThrow('"AGE-SECRET-KEY-1XYZ", which is not an age X25519 recipient');
  });

  it('takes a sealing certificate for SealedSecrets instead of age recipients, and says what is wrong with a bad one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-config-'));
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(path.join(dir, 'cert.pem'), pem);
    writeFileSync(path.join(dir, 'junk.pem'), 'not a certificate');
    const config = loadConfig({ PORTICO_GIT_URL: 'https://git.example.com/g.git', PORTICO_SECRET_FORMAT: 'sealed-secret', PORTICO_SEALING_CERT: 'cert.pem' }, dir);
    expect(config.secrets).toEqual({ format: 'sealed-secret', certificatePem: pem, certificateFile: path.join(dir, 'cert.pem') });
    expect(() => loadConfig({ PORTICO_SECRET_FORMAT: 'sealed-secret' }, dir)).toThrow('PORTICO_SECRET_FORMAT=sealed-secret needs PORTICO_SEALING_CERT, the sealing certificate file');
    expect(() => loadConfig({ PORTICO_SECRET_FORMAT: 'sealed-secret', PORTICO_SEALING_CERT: 'missing.pem' }, dir)).toThrow(`PORTICO_SEALING_CERT=${path.join(dir, 'missing.pem')}: no such file`);
    expect(() => loadConfig({ PORTICO_SECRET_FORMAT: 'sealed-secret', PORTICO_SEALING_CERT: 'junk.pem' }, dir)).toThrow(`PORTICO_SEALING_CERT=${path.join(dir, 'junk.pem')}: `);
    expect(() => loadConfig({ PORTICO_SEALING_CERT: 'cert.pem' }, dir)).toThrow('PORTICO_SEALING_CERT is set but PORTICO_SECRET_FORMAT is not sealed-secret');
    expect(() => loadConfig({ PORTICO_SECRET_FORMAT: 'vault' }, dir)).toThrow('PORTICO_SECRET_FORMAT="vault": must be sops-age or sealed-secret');
    rmSync(dir, { recursive: true, force: true });
  });

  it('never repeats the Git token', () => {
    let message = '';
    try {
      loadConfig({ PORTICO_GIT_TOKEN: 'ghp_secret-token', PORT: 'x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORT="x"');
    expect(message).not.toContain('ghp_secret-token');
  });
});

describe('settings from files (mounted Secrets)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-setting-files-'));
  writeFileSync(path.join(dir, 'database-url'), 'postgres://portico:s3cret-pw@db.internal:5432/portico\n');
  writeFileSync(path.join(dir, 'client-secret'), '  oidc-client-secret  \n');
  writeFileSync(path.join(dir, 'empty'), '\n');
  writeFileSync(path.join(dir, 'bad-url'), 'mysql://portico:s3cret-pw@db.internal/portico');

  it('reads NAME_FILE as NAME, trimmed, relative to the working folder', () => {
    const config = loadConfig(
      {
        DATABASE_URL_FILE: 'database-url',
        PORTICO_OIDC_ISSUER: 'https://idp.example.com',
        PORTICO_OIDC_CLIENT_ID: 'portico',
        PORTICO_OIDC_CLIENT_SECRET_FILE: path.join(dir, 'client-secret'),
        PORTICO_METRICS_TOKEN_FILE: 'client-secret',
      },
      dir,
    );
    expect(config.databaseUrl).toBe('postgres://portico:s3cret-pw@db.internal:5432/portico');
    expect(config.oidc?.clientSecret).toBe('oidc-client-secret');
    expect(config.metricsToken).toBe('oidc-client-secret');
  });

  it('gives the value in place of the _FILE entry, for the rest of the process', () => {
    const env = readSettingFiles({ PORTICO_GATEWAY_PORT_FILE: 'port', PORT: '80', OTHER_FILE: 'not ours' }, (writeFileSync(path.join(dir, 'port'), '9090'), dir));
    expect(env).toEqual({ PORTICO_GATEWAY_PORT: '9090', PORT: '80', OTHER_FILE: 'not ours' });
  });

  it('names the setting and the file when the file cannot be read', () => {
    expect(() => loadConfig({ DATABASE_URL_FILE: '/run/secrets/nowhere/database-url' }, dir)).toThrow(
      'invalid configuration: DATABASE_URL_FILE=/run/secrets/nowhere/database-url: cannot read DATABASE_URL from it: no such file',
    );
    expect(() => loadConfig({ PORTICO_GIT_TOKEN_FILE: dir }, dir)).toThrow(`invalid configuration: PORTICO_GIT_TOKEN_FILE=${dir}: cannot read PORTICO_GIT_TOKEN from it: it is a folder`);
    expect(() => loadConfig({ PORTICO_METRICS_TOKEN_FILE: 'empty' }, dir)).toThrow(`invalid configuration: PORTICO_METRICS_TOKEN_FILE=${path.join(dir, 'empty')}: the file is empty`);
  });

  it('refuses NAME and NAME_FILE together', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/portico', DATABASE_URL_FILE: 'database-url' }, dir)).toThrow('invalid configuration: DATABASE_URL and DATABASE_URL_FILE are both set');
  });

  it('never repeats what a file holds in a message', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL_FILE: 'bad-url' }, dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('invalid configuration:\n  DATABASE_URL=(read from DATABASE_URL_FILE): must be a postgres:// or postgresql:// URL');
    expect(message).not.toContain('s3cret-pw');
  });
});

describe('replicas', () => {
  it('refuses the embedded database for more than one replica, asking for DATABASE_URL', () => {
    expect(() => loadConfig({ PORTICO_REPLICAS: '2' })).toThrow(
      'invalid configuration: PORTICO_REPLICAS=2 needs DATABASE_URL: the embedded PGlite database belongs to one process, so replicas cannot share it',
    );
    const refusal = (() => {
      try {
        loadConfig({ PORTICO_REPLICAS: '3' });
      } catch (err) {
        return err as PorticoError;
      }
    })();
    expect(refusal?.hint).toBe('set DATABASE_URL to the PostgreSQL server (postgres://...) every replica uses, or run one replica');
    expect(loadConfig({ PORTICO_REPLICAS: '3', DATABASE_URL: 'postgres://db.internal/portico' }).databaseUrl).toBe('postgres://db.internal/portico');
    expect(loadConfig({ PORTICO_REPLICAS: '1' }).databaseUrl).toBeUndefined();
    expect(() => loadConfig({ PORTICO_REPLICAS: 'two' })).toThrow('PORTICO_REPLICAS="two"');
  });
});
