import { definePolicy, type Condition } from '@rolegate/core'

/**
 * Billy's three roles, held per team (`team:<id>`), as its Permissions page describes them, plus a
 * default role every user holds: creating teams and changing one's own name and password.
 */
export const policy = definePolicy({
  resources: [
    'teams',
    // Projects
    'projects.vendors', // vendor profiles, compliance statuses, contacts
    'projects.documents',
    'projects.contract_notes',
    'projects.policies', // the vendors' insurance policies, which may be waived
    'coverages',
    'directory',
    // Settings
    'settings.users', // add users, change their permissions
    'settings.legal_entities',
    'settings.requirement_groups',
    'requirements',
    // Each user's own account
    'users.profile',
    'users.password',
    // Who receives what
    'notifications.digest',
    'notifications.expiration',
    'notifications.document_upload',
    'notifications.contact_update',
  ],
  actions: {
    create: [],
    upload: [],
    download: ['read'],
    review: ['read'], // request and review documents, edit a review
    waive: ['read'],
    invite: [],
    receive: [],
  },
  roles: {
    admin: {
      description: 'No limitations: the only role that manages users, settings and requirements',
      superuser: true,
    },
    standard: {
      description:
        'Every action on projects, coverages and directory; no team settings, no requirements',
      grants: {
        projects: ['write', 'upload', 'download', 'review', 'waive'],
        coverages: 'write',
        directory: 'write',
        notifications: 'receive',
      },
    },
    read_only: {
      description:
        'Views projects; views, uploads and downloads documents; all of coverages and directory; no notifications',
      grants: {
        projects: 'read',
        'projects.documents': ['read', 'upload', 'download'],
        coverages: 'write',
        directory: 'write',
      },
    },
    everyone: {
      description: 'Every user: creates teams, changes their own name and password',
      grants: { teams: 'create', users: { actions: 'write', when: 'self' } },
    },
  },
  defaults: ['everyone'],
})

/** `self`: the user record is the subject's own. */
export const conditions: Record<string, Condition> = {
  self: (subject, user) => (user as { id?: unknown } | undefined)?.id === subject.id,
}

/** The roles a team member may hold: `everyone` is given to all and assigned to none. */
export const TEAM_ROLES = ['admin', 'standard', 'read_only'] as const

/** One of the three team roles. */
export type TeamRole = (typeof TEAM_ROLES)[number]

/** Whether `value` names a team role. */
export function isTeamRole(value: unknown): value is TeamRole {
  return typeof value === 'string' && (TEAM_ROLES as readonly string[]).includes(value)
}

/** The scope a team's roles are held in. */
export function teamScope(team: string): string {
  return `team:${team}`
}
