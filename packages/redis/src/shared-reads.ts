/** A read in flight, shared by the requests that want its answer. */
export interface Flight<T> {
  promise: Promise<T>
  /** A change was announced while it was in flight: its result is kept only if it is that change's. */
  invalidated: boolean
  /** The epoch the last announcement since it was sent named. */
  announced?: string | null
}

/** The read new requests may share: the one no announcement has reached since it was sent. */
function shared<T>(reads: ReadonlySet<Flight<T>>): Flight<T> | undefined {
  for (const flight of reads) if (!flight.invalidated) return flight
  return undefined
}

/**
 * Bounded mode's reads of subjects' records in flight: one shared by the requests of a subject,
 * and those an announcement made them stop sharing. Each announcement must reach them all, or a
 * read sent before a change that finishes after its message would put back a copy the message
 * dropped, for a whole bound.
 */
export class SharedReads<T extends { readonly epoch: string | null }> {
  readonly #reads = new Map<string, Set<Flight<T>>>()

  /** A change to the subject was announced, naming its new epoch. */
  announce(subjectId: string, epoch: string | null): void {
    for (const flight of this.#reads.get(subjectId) ?? []) {
      flight.invalidated = true
      flight.announced = epoch
    }
  }

  /**
   * The answer of the subject's read that no announcement has reached, else of a new one made by
   * `read`. `keep` is given a new read's answer unless an announcement since it was sent names an
   * epoch other than the one it read.
   */
  share(subjectId: string, read: () => Promise<T>, keep: (answer: T) => void): Promise<T> {
    const reads = this.#reads.get(subjectId) ?? new Set<Flight<T>>()
    const current = shared(reads)
    if (current !== undefined) return current.promise
    const started: Flight<T> = {
      invalidated: false,
      promise: read().then((answer) => {
        if (!started.invalidated || answer.epoch === started.announced) keep(answer)
        return answer
      }),
    }
    reads.add(started)
    this.#reads.set(subjectId, reads)
    const forget = (): void => {
      reads.delete(started)
      if (reads.size === 0 && this.#reads.get(subjectId) === reads) this.#reads.delete(subjectId)
    }
    started.promise.then(forget, forget)
    return started.promise
  }
}
