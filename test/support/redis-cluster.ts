import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePorts } from './free-port.js'
import { redisCli, startRedisServer, type RedisServer } from './redis-server.js'

/** Options for {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Number of masters; Redis Cluster needs at least three. @defaultValue 3 */
  readonly masters?: number
  /** Replicas per master; one makes {@link RedisCluster.failover} possible. @defaultValue 0 */
  readonly replicasPerMaster?: 0 | 1
}

/** Where a cluster node listens: the shape ioredis `Cluster` takes as a startup node. */
export interface ClusterNodeAddress {
  readonly host: '127.0.0.1'
  readonly port: number
}

/** A Redis Cluster of `redis-server` children on loopback, every slot assigned. */
export interface RedisCluster {
  /** Every node, masters and replicas, in start order. */
  readonly nodes: readonly ClusterNodeAddress[]
  /** The current masters, as the cluster reports them, by port. */
  masters(): Promise<ClusterNodeAddress[]>
  /**
   * Runs `CLUSTER FAILOVER` on a replica of the master at `masterPort` and resolves with the
   * promoted replica once every node agrees on the swapped roles and the cluster is ok.
   */
  failover(masterPort: number): Promise<ClusterNodeAddress>
  /** Stops every node. Idempotent. */
  stop(): Promise<void>
}

const host = '127.0.0.1'
const readyTimeoutMs = 15_000

/**
 * Starts `masters × (1 + replicasPerMaster)` cluster-enabled nodes, joins them with
 * `redis-cli --cluster create`, and resolves once every node reports `cluster_state:ok` with all
 * 16384 slots assigned and every replica is in sync. Takes about 2 s, or 4 s with replicas
 * (`--cluster create` alone sleeps 1 s, then replicas are announced by gossip).
 *
 * @example
 * const cluster = await startRedisCluster({ replicasPerMaster: 1 })
 * const client = new Cluster([...cluster.nodes], { enableOfflineQueue: false })
 */
export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 0 } = opts
  if (!Number.isInteger(masters) || masters < 3) {
    throw new TypeError(`startRedisCluster: masters must be an integer ≥ 3, got ${masters}`)
  }
  const servers = await startNodes(masters * (1 + replicasPerMaster))
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()))
  }
  const ports = servers.map((server) => server.port)
  try {
    await createCluster(ports, replicasPerMaster)
    await waitUntil('the cluster is ok', () => clusterIsReady(ports, masters))
  } catch (error) {
    await stop()
    throw error
  }
  return {
    nodes: ports.map((port) => ({ host, port })),
    async masters() {
      const view = await clusterNodes(ports)
      return view
        .filter((node) => node.role === 'master' && !node.failing)
        .map(({ port }) => ({ host, port }))
    },
    async failover(masterPort) {
      const view = await clusterNodes(ports)
      const master = view.find((node) => node.port === masterPort && node.role === 'master')
      const replica = view.find(
        (node) => node.role === 'slave' && !node.failing && node.masterId === master?.id,
      )
      if (master === undefined || replica === undefined) {
        throw new Error(`failover: no master with a replica on port ${masterPort}`)
      }
      await redisCli(replica.port, 'CLUSTER', 'FAILOVER')
      // Ready again means every node sees `masters` masters, so the old one is demoted everywhere.
      await waitUntil(`${replica.port} replaces ${masterPort}`, async () => {
        const views = await Promise.all(ports.map((port) => clusterNodes([port])))
        const promoted = views.every((nodes) =>
          nodes.some((node) => node.port === replica.port && node.role === 'master'),
        )
        return promoted && (await clusterIsReady(ports, masters))
      })
      return { host, port: replica.port }
    },
    stop,
  }
}

/** Starts `count` cluster-enabled nodes; the bus ports are explicit, as port + 10000 may not exist. */
async function startNodes(count: number): Promise<RedisServer[]> {
  const ports = await freePorts(2 * count)
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startRedisServer({
        port: ports[2 * i] ?? 0,
        // `nodes.conf` is relative to the node's own temp `--dir`.
        args: [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          ...['--cluster-node-timeout', '2000', '--cluster-port', String(ports[2 * i + 1] ?? 0)],
          // Replicas would otherwise wait 5 s for more replicas before a full sync.
          ...['--repl-diskless-sync-delay', '0'],
        ],
      }),
    ),
  )
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failure = started.find((result) => result.status === 'rejected')
  if (failure !== undefined) {
    await Promise.all(servers.map((server) => server.stop()))
    throw failure.reason
  }
  return servers
}

function createCluster(ports: readonly number[], replicas: number): Promise<void> {
  const argv = ['--cluster', 'create', ...ports.map((port) => `${host}:${port}`)]
  argv.push('--cluster-replicas', String(replicas), '--cluster-yes')
  return new Promise((resolve, reject) => {
    execFile('redis-cli', argv, { timeout: readyTimeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli --cluster create failed:\n${stdout}${stderr}`))
      else resolve()
    })
  })
}

/**
 * Every node says ok with all slots assigned, knows every node and sees exactly `masters` masters
 * (replicas are announced by gossip after `--cluster create` returns); every replica is linked.
 */
async function clusterIsReady(ports: readonly number[], masters: number): Promise<boolean> {
  const checks = ports.map(async (port) => {
    const view = await clusterNodes([port])
    const info = parseInfo(await redisCli(port, 'CLUSTER', 'INFO'))
    const [role, , , link] = (await redisCli(port, 'ROLE')).split('\n')
    return (
      info.get('cluster_state') === 'ok' &&
      info.get('cluster_slots_assigned') === '16384' &&
      info.get('cluster_known_nodes') === String(ports.length) &&
      view.filter((node) => node.role === 'master' && !node.failing).length === masters &&
      (role === 'master' || link === 'connected')
    )
  })
  return (await Promise.all(checks)).every(Boolean)
}

/** `field:value` lines, as `INFO` and `CLUSTER INFO` reply. */
function parseInfo(text: string): Map<string, string> {
  const fields = text.split(/\r?\n/).map((line): [string, string] => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon), line.slice(colon + 1)]
  })
  return new Map(fields)
}

interface ClusterNodeLine {
  readonly id: string
  readonly port: number
  readonly role: 'master' | 'slave' | 'unknown'
  readonly masterId: string
  /** Flagged `fail` or `fail?` by the node asked. */
  readonly failing: boolean
}

/** `CLUSTER NODES` as seen by the first of `ports` that answers. */
async function clusterNodes(ports: readonly number[]): Promise<ClusterNodeLine[]> {
  for (const port of ports) {
    const text = await redisCli(port, 'CLUSTER', 'NODES').catch(() => undefined)
    if (text === undefined) continue
    return text.split('\n').map((line) => {
      // <id> <ip:port@cport> <flags> <master-id|-> <ping> <pong> <epoch> <link> <slots...>
      const [id = '', address = '', flags = '', masterId = ''] = line.split(' ')
      const flagList = flags.split(',')
      const role = flagList.includes('master')
        ? 'master'
        : flagList.includes('slave')
          ? 'slave'
          : 'unknown'
      const failing = flagList.includes('fail') || flagList.includes('fail?')
      return { id, port: Number(/:(\d+)@/.exec(address)?.[1]), role, masterId, failing }
    })
  }
  throw new Error(`CLUSTER NODES: no node answered on ${ports.join(', ')}`)
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(100)
  }
}
