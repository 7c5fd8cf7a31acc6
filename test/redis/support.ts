import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRolegate, definePolicy, type ContextResolver, type Subject } from '@rolegate/core'
import { rolegate } from '@rolegate/express'
import { recommendedClusterOptions, recommendedRedisOptions } from '@rolegate/redis'
import express, { type Express } from 'express'
import { Cluster, Redis, type ClusterNode } from 'ioredis'
import { freePort } from '../support/free-port.js'
import { redisCli } from '../support/redis-server.js'

/** The policy every Redis test uses: billwerk-like exclusive roles and a conflicting pair. */
export const policy = definePolicy({
  resources: ['invoices', 'customers'],
  roles: {
    admin: { exclusive: true, superuser: true },
    read_only_operations: { exclusive: true, grants: { '*': 'read' } },
    finance: { grants: { invoices: 'write', customers: 'read' } },
    viewer: { grants: { invoices: 'read' } },
    auditor: { grants: { invoices: 'read', customers: 'read' } },
  },
  conflicts: [['finance', 'auditor']],
})
export const rg = createRolegate({ policy })

/** The 503 body every adapter sends when the Redis resolver cannot answer. */
export const unavailableBody = {
  type: 'urn:rolegate:problem:backend-unavailable',
  title: 'Authorization backend unavailable',
  status: 503,
  detail: 'The authorization backend did not answer.',
}

const clients: (Redis | Cluster)[] = []

/** A fail-fast client (rolegate's recommended options) on 127.0.0.1:`port`, ready, closed by {@link disconnectAll}. */
export async function connectRedis(
  target: number | string,
  options: { readonly commandTimeout?: number; readonly enableAutoPipelining?: boolean } = {},
): Promise<Redis> {
  const settings = { ...recommendedRedisOptions, lazyConnect: true, ...options }
  const client =
    typeof target === 'number'
      ? new Redis(target, '127.0.0.1', settings)
      : new Redis(target, settings)
  client.on('error', () => {}) // the fault tests make it fail on purpose
  clients.push(client)
  await client.connect()
  return client
}

/** A fail-fast Cluster client, ready, closed by {@link disconnectAll}. */
export async function connectCluster(nodes: readonly ClusterNode[]): Promise<Cluster> {
  const client = new Cluster([...nodes], { ...recommendedClusterOptions, lazyConnect: true })
  client.on('error', () => {})
  clients.push(client)
  await client.connect()
  return client
}

/** Keeps a client made elsewhere (e.g. for Sentinel) to be closed by {@link disconnectAll}. */
export function track<C extends Redis | Cluster>(client: C): C {
  clients.push(client)
  return client
}

export function disconnectAll(): void {
  for (const client of clients.splice(0)) client.disconnect()
}

/** Deletes every key under `prefix` (SCAN, not KEYS: the shared Redis may be large). */
export async function removeKeys(client: Redis, prefix: string): Promise<void> {
  for await (const batch of client.scanStream({ match: `${prefix}*`, count: 500 })) {
    const keys = batch as string[]
    if (keys.length > 0) await client.del(...keys)
  }
}

/**
 * An Express app guarded by `@rolegate/express` with the given resolver. The subject is the
 * `x-user` header; `GET /invoices` needs `invoices:read`, `POST /invoices` needs `invoices:write`.
 */
export function guardedApp(resolve: ContextResolver<typeof policy>): Express {
  const app = express()
  const authz = rolegate(rg, {
    subject: (req): Subject | undefined => {
      const id = req.get('x-user')
      return id === undefined ? undefined : { id }
    },
    resolve,
    onError: () => {},
  })
  app.use(authz)
  app.get('/invoices', authz.requirePermission('invoices:read'), (_req, res) => {
    res.json({ invoices: [] })
  })
  app.post('/invoices', authz.requirePermission('invoices:write'), (_req, res) => {
    res.status(201).json({ created: true })
  })
  return app
}

/** A `redis-server --sentinel` on a free loopback port watching `masterPort` as `name`, quorum 1. */
export interface Sentinel {
  readonly port: number
  stop(): Promise<void>
}

export async function startSentinel(name: string, masterPort: number): Promise<Sentinel> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-sentinel-'))
  const config = join(dir, 'sentinel.conf')
  // Sentinel rewrites its config file, so it gets one of its own in a temp directory.
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', () => child.kill('SIGKILL'))
  const deadline = Date.now() + 10_000
  for (;;) {
    const master = await redisCli(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name).catch(() => '')
    if (master.endsWith(String(masterPort))) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`sentinel on port ${port} did not come up`)
    }
    await sleep(50)
  }
  return { port, stop }
}

/** Polls `check` until it returns true (for hooks, where `expect.poll` is not available). */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(50)
  }
}

/** Waits until `performance.now()` reaches `time` (a timer alone may fire a millisecond early). */
export async function sleepUntil(time: number): Promise<void> {
  while (performance.now() < time) await sleep(time - performance.now() + 1)
}
