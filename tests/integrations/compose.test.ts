import fs from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../services/src/config.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2019) => Ajv2019;
const root = path.resolve(import.meta.dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default} (unset only), ${VAR:?error}; $$ is a literal $. */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (all, name, op, arg) => {
      if (all === '$$') return '$';
      const v = env[name];
      if (op === ':?' && !v) throw new Error(`${name}: ${arg}`);
      if (op === ':-' && !v) return arg;
      if (op === '-' && v === undefined) return arg;
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

const raw = parseYaml(read('docker-compose.yml'));
const env = { POSTGRES_PASSWORD: 'p', ADMIN_TOKEN: '0123456789abcdef0123' };
const compose = interpolate(raw, env) as any;
const services: Record<string, any> = compose.services;

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification JSON schema shipped in deploy/', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    // The spec's "duration" and "ports" formats are strings Compose parses itself.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', true);
    // Ajv2019 is that draft; the file's "$schema" URI carries a trailing '#' Ajv does not know.
    // Its draft-04 style "id" annotations (strings) are dropped: Ajv reads only "$id".
    const { $schema: _draft, ...schema } = JSON.parse(read('deploy/compose-spec.json'), function (key, value) {
      return key === 'id' && typeof value === 'string' ? undefined : value;
    });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(ok, JSON.stringify(validate.errors, null, 1)).toBe(true);
    // And the check can fail: an unknown key under a service is refused.
    expect(validate({ services: { app: { image: 'x', replicaz: 2 } } })).toBe(false);
  });

  it('refuses to start without its secrets', () => {
    expect(() => interpolate(raw, {})).toThrow(/POSTGRES_PASSWORD/);
  });

  it('is consistent: services, volumes, health checks, images', () => {
    const names = Object.keys(services);
    expect(names.sort()).toEqual(['addok', 'addok-prepare', 'addok-redis', 'app', 'db', 'lb', 'osrm', 'osrm-prepare']);
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(names, `${name} depends on ${dep}`).toContain(dep);
      for (const v of s.volumes ?? []) {
        const src = String(v).split(':')[0];
        if (src.startsWith('.')) expect(fs.existsSync(path.join(root, src)), `${name} mounts ${src}`).toBe(true);
        else expect(declared, `${name} uses volume ${src}`).toContain(src);
      }
      // Every long-running service says when it is healthy; the one-shot preparation does not run long.
      if (!name.endsWith('-prepare')) expect(s.healthcheck?.test, `${name} has a health check`).toBeDefined();
    }
    expect(services.db.image).toBe('postgis/postgis:15-3.4');
    expect(services.osrm.image).toMatch(/^osrm\/osrm-backend/);
    expect(services.osrm.command).toEqual(expect.arrayContaining(['--algorithm', 'mld']));
    expect(services.osrm.depends_on['osrm-prepare'].condition).toBe('service_completed_successfully');
    const prepare = read('deploy/osrm/osrm-prepare.sh');
    for (const step of ['osrm-extract', 'osrm-partition', 'osrm-customize']) expect(prepare).toContain(step);
    expect(services.app.build.context).toBe('.');
    expect(services.app.healthcheck.test.join(' ')).toContain('/health');
    expect(services.app.deploy.replicas).toBeGreaterThan(1);
    expect(services.app.ports, 'replicas publish no port: the load balancer does').toBeUndefined();
  });

  it('wires the service to the database, the router and the load balancer by service name', () => {
    const e = services.app.environment;
    expect(new URL(e.DATABASE_URL).hostname).toBe('db');
    expect(new URL(e.DATABASE_URL).pathname).toBe(`/${services.db.environment.POSTGRES_DB}`);
    expect(new URL(e.OSRM_URL).hostname).toBe('osrm');
    expect(new URL(e.OSRM_URL).port).toBe('5000');
    const nginx = read('deploy/nginx.conf');
    expect(nginx).toMatch(/server app:3000/);
    expect(services.lb.volumes[0]).toContain('deploy/nginx.conf');
    // nginx sets X-Forwarded-For to the address it saw (appending kept what the client wrote), and the service
    // believes it only from the stack's network.
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(nginx).not.toMatch(/\$proxy_add_x_forwarded_for/);
    expect(loadConfig({ TRUSTED_PROXIES: e.TRUSTED_PROXIES }).TRUSTED_PROXIES.length).toBeGreaterThan(0);
  });

  it('serves the territory’s addresses with addok, which the service asks through GEOCODER_URL', () => {
    const url = new URL(loadConfig({ GEOCODER_URL: services.app.environment.GEOCODER_URL }).GEOCODER_URL!);
    expect(url.hostname).toBe('addok');
    expect(url.port).toBe('7878');
    // The app starts without addok (the gazetteer answers meanwhile): no dependency that would hold it.
    expect(Object.keys(services.app.depends_on)).not.toContain('addok');
    expect(services.addok.depends_on['addok-prepare'].condition).toBe('service_completed_successfully');
    for (const s of ['addok', 'addok-prepare']) expect(services[s].environment.REDIS_HOST).toBe('addok-redis');
    const prepare = read('deploy/addok/addok-prepare.sh');
    for (const step of ['/opt/comobi/addresses.ndjson.gz', 'addok batch', 'addok ngrams', 'sha256sum']) expect(prepare).toContain(step);
    expect(read('deploy/addok/addok.conf')).toContain('citycode');
    expect(services.addok.healthcheck.test.join(' ')).toContain('/search/');
  });

  it('builds the image from the Dockerfile: node 20, npm ci, npm start', () => {
    const docker = read('Dockerfile');
    expect(docker).toMatch(/^FROM node:20/m);
    expect(docker).toMatch(/RUN npm ci/);
    expect(docker).toMatch(/CMD \["npm", "start"\]/);
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env']));
    for (const m of docker.matchAll(/^COPY (\S+)(?: \S+)? \S+$/gm)) {
      if (m[1] !== '.') expect(fs.existsSync(path.join(root, m[1])), m[1]).toBe(true);
    }
  });
});
