import { connect } from 'node:net'
import { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { startDelayProxy, type DelayProxy } from './delay-proxy.js'
import { freePort, freePorts } from './free-port.js'
import { startRedisCluster, type RedisCluster } from './redis-cluster.js'
import { redisUrl, startRedisServer, uniquePrefix, type RedisServer } from './redis-server.js'

const clients: (Redis | Cluster)[] = []

/** A client that fails fast instead of queueing or reconnecting, closed in `afterAll`. */
async function connectRedis(port: number, commandTimeout = 1_000): Promise<Redis> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  clients.push(client)
  await client.connect()
  return client
}

/** The error code of a fresh TCP connection to `port`, or `'connected'`. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

async function elapsedMs(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await run()
  return performance.now() - start
}

afterAll(() => {
  for (const client of clients) client.disconnect()
})

describe('freePorts', () => {
  test('returns distinct loopback ports that can be listened on', async () => {
    const ports = await freePorts(4)
    expect(new Set(ports).size).toBe(4)
    expect(await connectOutcome(await freePort())).toBe('ECONNREFUSED')
  })
})

describe('redisUrl and uniquePrefix', () => {
  test('redisUrl prefers REDIS_URL and falls back to the local default', () => {
    vi.stubEnv('REDIS_URL', 'redis://127.0.0.1:6390')
    expect(redisUrl()).toBe('redis://127.0.0.1:6390')
    vi.stubEnv('REDIS_URL', undefined)
    expect(redisUrl()).toBe('redis://127.0.0.1:6379')
    vi.unstubAllEnvs()
  })

  test('the shared Redis at redisUrl() answers PING', async () => {
    const client = new Redis(redisUrl(), {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: 1_000,
      retryStrategy: () => null,
    })
    clients.push(client)
    await client.connect()
    expect(await client.ping()).toBe('PONG')
  })

  test('uniquePrefix names the suite and differs on every call', () => {
    const [a, b] = [uniquePrefix('assignments'), uniquePrefix('assignments')]
    expect(a).toMatch(/^rg:test:assignments:[0-9a-f]{8}:$/)
    expect(a).not.toBe(b)
  })
})

describe('startRedisServer', () => {
  const servers: RedisServer[] = []
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
  })
  const start = async () => {
    const server = await startRedisServer()
    servers.push(server)
    return server
  }

  test('answers PING on its port, then refuses connections once stopped', async () => {
    const server = await start()
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
    const client = await connectRedis(server.port)
    expect(await client.ping()).toBe('PONG')
    client.disconnect()
    await server.stop()
    expect(await connectOutcome(server.port)).toBe('ECONNREFUSED')
    await server.stop() // idempotent
  })

  test('refuses a port another Redis already serves instead of posing as it', async () => {
    const server = await start()
    await expect(startRedisServer({ port: server.port })).rejects.toThrow('Address already in use')
  })

  test('restart() comes back as a new, empty server on the same port', async () => {
    const server = await start()
    const before = await connectRedis(server.port)
    await before.set('k', 'v')
    const runIdBefore = /run_id:(\w+)/.exec(await before.info('server'))?.[1]
    before.disconnect()
    await server.restart()
    const after = await connectRedis(server.port)
    expect(await after.dbsize()).toBe(0)
    const runIdAfter = /run_id:(\w+)/.exec(await after.info('server'))?.[1]
    expect(runIdAfter).toMatch(/^\w{40}$/)
    expect(runIdAfter).not.toBe(runIdBefore)
  })

  test('kill() drops the server at once and restart() brings it back', async () => {
    const server = await start()
    await server.kill()
    expect(await connectOutcome(server.port)).toBe('ECONNREFUSED')
    await server.restart()
    const client = await connectRedis(server.port)
    expect(await client.ping()).toBe('PONG')
  })

  test('pause(ms) holds commands for at least that long', async () => {
    const server = await start()
    const client = await connectRedis(server.port)
    // The pause starts on the server before `pause()` resolves, so time both together.
    const elapsed = await elapsedMs(async () => {
      await server.pause(300)
      expect(await client.ping()).toBe('PONG')
    })
    expect(elapsed).toBeGreaterThanOrEqual(300)
  })
})

describe('startRedisCluster', () => {
  let cluster: RedisCluster
  let client: Cluster
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 })
    client = new Cluster([...cluster.nodes], {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: () => null,
      redisOptions: { commandTimeout: 1_000, maxRetriesPerRequest: 0 },
    })
    clients.push(client)
    await client.connect()
  }, 20_000)
  afterAll(async () => {
    client.disconnect()
    await cluster.stop()
  })

  test('starts three masters with one replica each, every node reporting cluster_state:ok', async () => {
    expect(cluster.nodes).toHaveLength(6)
    expect(await cluster.masters()).toHaveLength(3)
    for (const { port } of cluster.nodes) {
      const node = await connectRedis(port)
      const info = await node.cluster('INFO')
      expect(info).toContain('cluster_state:ok')
      expect(info).toContain('cluster_slots_assigned:16384')
    }
  })

  test('a key set through ioredis Cluster reads back, also after a failover of its master', async () => {
    const key = `${uniquePrefix('cluster')}k`
    await client.set(key, 'v')
    expect(await client.get(key)).toBe('v')

    const slot = await client.cluster('KEYSLOT', key)
    const range = (await client.cluster('SLOTS')).find(([from, to]) => from <= slot && slot <= to)
    const owner = range?.[2]?.[1]
    if (owner === undefined) throw new Error(`no master owns slot ${slot}`)
    const promoted = await cluster.failover(owner)

    const masters = (await cluster.masters()).map(({ port }) => port)
    expect(masters).toContain(promoted.port)
    expect(masters).not.toContain(owner)
    const demoted = await connectRedis(owner)
    expect((await demoted.role())[0]).toBe('slave')
    expect(await client.get(key)).toBe('v')
  })

  test('with no replicas, every node is a master', async () => {
    const small = await startRedisCluster({ masters: 3 })
    try {
      const masters = (await small.masters()).map(({ port }) => port).sort()
      expect(masters).toEqual(small.nodes.map(({ port }) => port).sort())
    } finally {
      await small.stop()
    }
    // Starting a cluster takes the same time as the beforeAll's: seconds on a busy 2-core machine.
  }, 20_000)
})

describe('startDelayProxy', () => {
  let server: RedisServer
  let proxy: DelayProxy
  beforeAll(async () => {
    server = await startRedisServer()
    proxy = await startDelayProxy({ targetPort: server.port })
  })
  afterAll(async () => {
    await proxy.close()
    await server.stop()
  })

  test('setDelay(ms) delays a PING by at least the delay in each direction', async () => {
    const client = await connectRedis(proxy.port)
    proxy.setDelay(150)
    try {
      expect(await elapsedMs(() => client.ping())).toBeGreaterThanOrEqual(300)
    } finally {
      proxy.setDelay(0)
    }
  })

  test('blackhole(true) makes a command time out; lifting it lets the client recover', async () => {
    const client = await connectRedis(proxy.port, 200)
    proxy.blackhole(true)
    try {
      await expect(client.ping()).rejects.toThrow('Command timed out')
      expect(await connectOutcome(proxy.port)).toBe('connected')
    } finally {
      proxy.blackhole(false)
    }
    expect(await client.ping()).toBe('PONG')
  })

  test('close() stops listening', async () => {
    const other = await startDelayProxy({ targetPort: server.port })
    await other.close()
    expect(await connectOutcome(other.port)).toBe('ECONNREFUSED')
  })
})
