import { AccessControl, type IGrants, type IResourceGrants } from 'accesscontrol'
import { flatten, internalize, type NeutralPolicy } from '../policies/neutral.js'
import { perUser, type Peer } from './peer.js'

/** accesscontrol names allow letters, digits, "_" and "-": a dotted path is written with "-". */
const acName = (resource: string): string => resource.replaceAll('.', '-')

const ANY = [{ attributes: ['*'] }]

/** read → read:any; write → update:any plus read:any (write ⇒ read is not expressible). */
function grantsOf(policy: NeutralPolicy): IGrants {
  const grants: IGrants = {}
  for (const [role, table] of flatten(policy)) {
    const item: Record<string, IResourceGrants> = {}
    for (const [resource, level] of table)
      item[acName(resource)] = level === 'write' ? { read: ANY, update: ANY } : { read: ANY }
    grants[role] = item
  }
  return grants
}

export const accesscontrol: Peer = {
  name: 'accesscontrol',
  api: 'sync',
  notes: [
    'no resource tree (its "/" categories are one level and deny always wins): per-role flattened grants',
    'read → read:any, write → update:any + read:any (no implied actions); dotted names written with "-"',
    'per user: the roles array, checked with ac.can(roles).readAny(res) / .updateAny(res), .granted',
  ],
  load(policy) {
    const ac = new AccessControl(grantsOf(policy))
    const rolesOf = new Map<string, string[]>()
    return {
      setup(user) {
        rolesOf.set(user.id, [...user.roles])
      },
      check: (user, resource, action) => {
        const query = ac.can(perUser(rolesOf, user))
        return (
          action === 'write' ? query.updateAny(acName(resource)) : query.readAny(acName(resource))
        ).granted
      },
      prepare(checks) {
        const roles = checks.map((c) => perUser(rolesOf, c.user))
        const resources = checks.map((c) => internalize(acName(c.resource)))
        const writes = checks.map((c) => c.action === 'write')
        const one = (i: number): boolean => {
          const query = ac.can(roles[i] as string[])
          const resource = resources[i] as string
          return (writes[i] === true ? query.updateAny(resource) : query.readAny(resource)).granted
        }
        return {
          run(from, to) {
            let allowed = 0
            for (let i = from; i < to; i++) if (one(i)) allowed++
            return allowed
          },
          answer: one,
        }
      },
    }
  },
  compiler(policy) {
    const grants = grantsOf(policy)
    let rules = 0
    for (const item of Object.values(grants))
      for (const actions of Object.values(item)) rules += Object.keys(actions ?? {}).length
    return {
      build: () => new AccessControl(structuredClone(grants)),
      size: `${rules} action grants`,
    }
  },
}
