/**
 * Keeping the load generator and the server under load on CPUs of their own, for the timed part
 * of a round. On this 2-core machine the scheduler otherwise moves them around and now and then
 * puts them on one core, and with them whatever else runs. Pinning did not remove the spread
 * between server processes (see the README), but it takes the scheduler out of it. Linux only,
 * through util-linux's `taskset`; without it nothing is pinned and the bench says so.
 */
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/** The CPUs: the load generator (this process) on the first, the servers on the second. */
export const LOAD_CPU = '0'
export const SERVER_CPU = '1'

function taskset(args: readonly string[]): boolean {
  const result = spawnSync('taskset', args, { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

/** Whether processes can be pinned here: Linux, taskset installed, at least two CPUs. */
export const canPin: boolean =
  process.platform === 'linux' && availableParallelism() >= 2 && taskset(['-c', '0', 'true'])

/** Pins every thread of process `pid` to `cpus` (a taskset list such as `0` or `0-1`). */
export function pin(pid: number, cpus: string): void {
  if (canPin && !taskset(['-a', '-p', '-c', cpus, String(pid)]))
    throw new Error(`taskset could not pin process ${pid} to CPU ${cpus}`)
}

/** Every CPU, to undo {@link pin}. */
export const ALL_CPUS = `0-${availableParallelism() - 1}`

/**
 * Runs `load` with the servers on {@link SERVER_CPU} and this process (the load generator) on
 * {@link LOAD_CPU}, and gives this process every CPU back afterwards, whatever happens.
 */
export async function pinnedForLoad<T>(
  servers: Iterable<{ readonly pid: number }>,
  load: () => Promise<T>,
): Promise<T> {
  for (const server of servers) pin(server.pid, SERVER_CPU)
  pin(process.pid, LOAD_CPU)
  try {
    return await load()
  } finally {
    pin(process.pid, ALL_CPUS)
  }
}
