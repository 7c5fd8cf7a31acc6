import { GCProfiler, getHeapStatistics } from 'node:v8'

/** A full, synchronous garbage collection; the bench runs with --expose-gc. */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc (pnpm bench does)')
  // Twice: the first pass may leave objects that only a second one frees (weak maps, finalizers).
  gc()
  gc()
}

/**
 * Live bytes: the JS heap plus ArrayBuffer backing stores. Typed arrays over 64 bytes keep their
 * data outside the V8 heap, so heapUsed alone would miss rolegate's Int32Array tables.
 */
export function liveBytes(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

/**
 * Bytes allocated on the JS heap while `work` runs. V8 has no allocation counter to read from JS,
 * so this adds the heap's growth to what every GC in between freed: a full GC first, then a
 * GCProfiler records used heap size before and after each scavenge or mark-compact while `work`
 * runs. Objects that died and were collected are counted by the GCs, objects still there by the
 * growth. Run `work` once beforehand so that JIT code and feedback are not counted.
 */
export function allocatedBytes(work: () => void): number {
  const count = startCounting()
  work()
  return count()
}

/**
 * {@link allocatedBytes} for work that awaits: the process must do nothing else meanwhile (a bench
 * server between its timed runs), since whatever else allocates is counted too.
 */
export async function allocatedBytesAsync(work: () => Promise<void>): Promise<number> {
  const count = startCounting()
  await work()
  return count()
}

/** Starts counting allocated bytes; the function it returns stops and gives the count. */
function startCounting(): () => number {
  fullGc()
  const profiler = new GCProfiler()
  profiler.start()
  const before = getHeapStatistics().used_heap_size
  return () => {
    const after = getHeapStatistics().used_heap_size
    const { statistics } = profiler.stop()
    let freed = 0
    for (const gc of statistics)
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize
    return after - before + freed
  }
}
