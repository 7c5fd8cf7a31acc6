import type { Level, NeutralPolicy, NeutralRole, User } from './neutral.js'

/** mulberry32: a small, fast, seeded PRNG. Same seed, same policy, same checks, every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [0, n). */
export function pick(random: () => number, n: number): number {
  return Math.floor(random() * n)
}

const MODULES = 50
const CHILDREN = 9
const ROLES = 200
const GRANTS_PER_ROLE = 200

/**
 * Scenario B's policy: 500 resources (50 modules `mNN`, each with 9 children `mNN.rK`) and 200
 * roles of 200 grants each (40,000 grants): 50% read, 35% write, 15% `none`, on distinct resources
 * drawn at random. A grant on a module covers its children unless a child has its own.
 */
export function largePolicy(seed = 0x5eed): NeutralPolicy {
  const random = seededRandom(seed)
  const resources: string[] = []
  for (let m = 0; m < MODULES; m++) {
    const module = `m${String(m).padStart(2, '0')}`
    resources.push(module)
    for (let c = 0; c < CHILDREN; c++) resources.push(`${module}.r${c}`)
  }
  const roles: Record<string, NeutralRole> = {}
  for (let r = 0; r < ROLES; r++) {
    const order = [...resources]
    const grants: Record<string, Level> = {}
    // A partial Fisher-Yates shuffle: the first GRANTS_PER_ROLE entries are a random sample.
    for (let i = 0; i < GRANTS_PER_ROLE; i++) {
      const j = i + pick(random, order.length - i)
      const chosen = order[j] as string
      order[j] = order[i] as string
      const roll = random()
      grants[chosen] = roll < 0.5 ? 'read' : roll < 0.85 ? 'write' : 'none'
    }
    roles[`role_${String(r).padStart(3, '0')}`] = { grants }
  }
  return { name: 'large', resources, roles }
}

/** `count` users holding 1 to 5 distinct roles each, drawn at random. */
export function largeUsers(policy: NeutralPolicy, count = 512, seed = 0xc0ffee): User[] {
  const random = seededRandom(seed)
  const names = Object.keys(policy.roles)
  const users: User[] = []
  for (let u = 0; u < count; u++) {
    const held = new Set<string>()
    const size = 1 + pick(random, 5)
    while (held.size < size) held.add(names[pick(random, names.length)] as string)
    users.push({ id: `u${String(u).padStart(4, '0')}`, roles: [...held] })
  }
  return users
}
