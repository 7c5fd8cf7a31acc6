import type { AuditEvent, DecisionReason } from '@rolegate/core'

/** One request and the answer every adapter must give to it. */
export interface Scenario {
  readonly name: string
  /** The `x-test-user` header: which subject the app's resolver returns. */
  readonly subject?: string
  readonly request: {
    readonly method: 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'OPTIONS'
    readonly path: string
    readonly headers?: Readonly<Record<string, string>>
  }
  readonly expect: {
    readonly status: number
    /** The whole JSON body; absent for answers without one (HEAD) or written by the framework itself. */
    readonly body?: unknown
    /** Headers that must be present with these values (`allow` is compared as a set of methods). */
    readonly headers?: Readonly<Record<string, string>>
    /** The audit events of the request, without `durationMs`, when the scenario is about them. */
    readonly audit?: readonly Omit<AuditEvent, 'durationMs'>[]
    /** Messages of the errors reported to `onError`. @defaultValue none */
    readonly errors?: readonly string[]
  }
}

const PROBLEM = { 'content-type': 'application/problem+json; charset=utf-8' }
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }
const TYPE = 'urn:rolegate:problem:'

const ok = (body: unknown) => ({ status: 200, body, headers: JSON_TYPE })

const unauthenticated = {
  status: 401,
  headers: { ...PROBLEM, 'www-authenticate': 'Bearer realm="rolegate-test"' },
  body: {
    type: `${TYPE}unauthenticated`,
    title: 'Authentication required',
    status: 401,
    detail: 'This request needs an authenticated subject.',
  },
}

const failed = {
  status: 403,
  headers: PROBLEM,
  body: {
    type: `${TYPE}forbidden`,
    title: 'Forbidden',
    status: 403,
    detail: 'Access could not be verified, so it is refused.',
  },
}

function forbidden(
  detail: string,
  named: { permission: string | string[]; reason: DecisionReason } | { role: string | string[] },
  scope?: string,
) {
  const body = { type: `${TYPE}forbidden`, title: 'Forbidden', status: 403, detail, ...named }
  return { status: 403, headers: PROBLEM, body: scope === undefined ? body : { ...body, scope } }
}

const noInvoiceRead = forbidden('Permission "invoices:read" required.', {
  permission: 'invoices:read',
  reason: 'no-grant',
})
const adminRequired = forbidden('Role "admin" required.', { role: 'admin' })

const acme = {
  id: 'c1',
  name: 'Acme',
  manager: 'ann',
  address: { street: '1 Main St', bcc: 'audit@acme.example' },
  notes: 'pays late',
}
const globex = {
  id: 'c2',
  name: 'Globex',
  manager: 'zoe',
  address: { street: '2 Side St', bcc: 'audit@globex.example' },
  notes: 'prefers email',
}
const acmeForSupport = { id: 'c1', name: 'Acme', manager: 'ann', address: { street: '1 Main St' } }
const globexForSupport = {
  id: 'c2',
  name: 'Globex',
  manager: 'zoe',
  address: { street: '2 Side St' },
}

const get = (path: string, headers?: Record<string, string>) =>
  headers === undefined
    ? { method: 'GET' as const, path }
    : { method: 'GET' as const, path, headers }

/** The table every adapter runs: Express 4 and 5, Koa 2 and 3. */
export const scenarios: readonly Scenario[] = [
  // 401 vs 403 vs 503
  {
    name: 'no subject: 401 with WWW-Authenticate and a problem body',
    request: get('/invoices'),
    expect: {
      ...unauthenticated,
      audit: [
        {
          permissions: ['invoices:read'],
          actor: undefined,
          subject: undefined,
          scope: undefined,
          allowed: false,
          reason: 'unauthenticated',
        },
      ],
    },
  },
  {
    name: 'a name the resolver does not know is no subject: 401',
    subject: 'nobody',
    request: get('/invoices'),
    expect: unauthenticated,
  },
  {
    name: 'allowed: the handler runs and the decision is audited',
    subject: 'vera',
    request: get('/invoices'),
    expect: {
      ...ok({ route: 'GET /invoices' }),
      audit: [
        {
          permissions: ['invoices:read'],
          actor: 'vera',
          subject: 'vera',
          scope: undefined,
          allowed: true,
          reason: 'granted',
        },
      ],
    },
  },
  {
    name: 'denied: 403 naming the missing permission and the reason',
    subject: 'mia',
    request: get('/invoices'),
    expect: noInvoiceRead,
  },
  {
    name: 'a subject read asynchronously is decided the same: allowed',
    subject: 'later:vera',
    request: get('/invoices'),
    expect: ok({ route: 'GET /invoices' }),
  },
  {
    name: 'a subject read asynchronously is decided the same: denied',
    subject: 'later:mia',
    request: get('/invoices'),
    expect: noInvoiceRead,
  },
  {
    name: 'write implies read: a finance user reads invoices',
    subject: 'fiona',
    request: get('/invoices'),
    expect: ok({ route: 'GET /invoices' }),
  },
  {
    name: 'the assignment store is unavailable: 503 with Retry-After, never allowed',
    subject: 'outage',
    request: get('/invoices'),
    expect: {
      status: 503,
      headers: { ...PROBLEM, 'retry-after': '1' },
      body: {
        type: `${TYPE}backend-unavailable`,
        title: 'Authorization backend unavailable',
        status: 503,
        detail: 'The assignment store did not answer.',
      },
      errors: ['The assignment store did not answer.'],
    },
  },
  {
    name: 'a superuser passes every guard',
    subject: 'root',
    request: { method: 'POST', path: '/invoices' },
    expect: ok({ route: 'POST /invoices' }),
  },
  {
    name: 'an exclusive role held with another denies everything',
    subject: 'conflicted',
    request: get('/invoices'),
    expect: forbidden('Permission "invoices:read" required.', {
      permission: 'invoices:read',
      reason: 'exclusive-conflict',
    }),
  },

  // all / any
  {
    name: 'mode all: every permission is needed, and only the missing one is named',
    subject: 'vera',
    request: get('/reports/export'),
    expect: forbidden('Permission "reports:export" required.', {
      permission: 'reports:export',
      reason: 'no-grant',
    }),
  },
  {
    name: 'mode all: two missing permissions are both named',
    subject: 'mia',
    request: get('/reports/export'),
    expect: forbidden('Permissions "reports:read" and "reports:export" required.', {
      permission: ['reports:read', 'reports:export'],
      reason: 'no-grant',
    }),
  },
  {
    name: 'mode all: allowed when every permission is',
    subject: 'fiona',
    request: get('/reports/export'),
    expect: ok({ route: 'GET /reports/export' }),
  },
  {
    name: 'mode any: one permission is enough',
    subject: 'vera',
    request: get('/reports/summary'),
    expect: ok({ route: 'GET /reports/summary' }),
  },
  {
    name: 'mode any: denied names every permission that would have done',
    subject: 'mia',
    request: get('/reports/summary'),
    expect: forbidden('One of the permissions "invoices:write" or "reports:read" is required.', {
      permission: ['invoices:write', 'reports:read'],
      reason: 'no-grant',
    }),
  },

  // scoped roles from route parameters
  {
    name: 'a role held in the route scope (from the store) allows',
    subject: 'tess',
    request: { method: 'POST', path: '/teams/7/projects' },
    expect: {
      ...ok({ route: 'POST /teams/:team/projects', team: '7' }),
      audit: [
        {
          permissions: ['projects:write'],
          actor: 'tess',
          subject: 'tess',
          scope: 'team:7',
          allowed: true,
          reason: 'granted',
        },
      ],
    },
  },
  {
    name: 'the same role in another scope does not',
    subject: 'tess',
    request: { method: 'POST', path: '/teams/8/projects' },
    expect: forbidden(
      'Permission "projects:write" required in scope "team:8".',
      { permission: 'projects:write', reason: 'no-grant' },
      'team:8',
    ),
  },
  {
    name: 'requireRole: any of the roles, in the route scope',
    subject: 'tess',
    request: get('/teams/7/settings'),
    expect: ok({ route: 'GET /teams/:team/settings', team: '7' }),
  },
  {
    name: 'requireRole: denied names the roles and the scope',
    subject: 'tess',
    request: get('/teams/8/settings'),
    expect: forbidden(
      'One of the roles "project_lead" or "admin" is required in scope "team:8".',
      { role: ['project_lead', 'admin'] },
      'team:8',
    ),
  },
  {
    name: 'requireRole: a global superuser role counts in every scope',
    subject: 'root',
    request: get('/teams/8/settings'),
    expect: ok({ route: 'GET /teams/:team/settings', team: '8' }),
  },
  {
    name: 'a scope from the query string decides like one from the route',
    subject: 'tess',
    request: get('/team-settings?team=team:7'),
    expect: ok({ route: 'GET /team-settings' }),
  },
  {
    name: 'a scope that is not a string (a repeated query parameter) denies and is reported',
    subject: 'tess',
    request: get('/team-settings?team=team:7&team=team:8'),
    expect: { ...failed, errors: ["A guard's scope must be a string, got an array."] },
  },
  {
    name: 'requireRole without a scope',
    subject: 'vera',
    request: { method: 'DELETE', path: '/users/u9' },
    expect: adminRequired,
  },

  // conditional grants with a loader
  {
    name: 'a conditional grant holds for the loaded instance',
    subject: 'ann',
    request: get('/customers/c1'),
    expect: ok({ route: 'GET /customers/:id', id: 'c1' }),
  },
  {
    name: 'a conditional grant fails for another instance',
    subject: 'ann',
    request: get('/customers/c2'),
    expect: forbidden('Permission "customers:read" required.', {
      permission: 'customers:read',
      reason: 'condition-failed',
    }),
  },
  {
    name: 'a loader that finds nothing gives no instance: the condition cannot hold',
    subject: 'ann',
    request: get('/customers/c404'),
    expect: forbidden('Permission "customers:read" required.', {
      permission: 'customers:read',
      reason: 'condition-needs-resource',
    }),
  },
  {
    name: 'a throwing loader denies and is reported',
    subject: 'ann',
    request: get('/customers/boom'),
    expect: {
      ...failed,
      errors: ['customer database down'],
      audit: [
        {
          permissions: ['customers:read'],
          actor: 'ann',
          subject: 'ann',
          scope: undefined,
          allowed: false,
          reason: 'error',
        },
      ],
    },
  },
  {
    name: 'a loader that throws a lookalike of a rolegate error with status 200 denies with 403',
    subject: 'ann',
    request: get('/customers/lookalike'),
    expect: { ...failed, errors: ['a 200 in disguise'] },
  },
  {
    name: 'a rolegate error whose problem cannot be written is answered as a failed check',
    subject: 'ann',
    request: get('/customers/bigint'),
    expect: failed,
  },
  {
    name: 'an unconditional grant allows whatever instance the loader gives',
    subject: 'sam',
    request: get('/customers/c2'),
    expect: ok({ route: 'GET /customers/:id', id: 'c2' }),
  },

  // failures in the app's own hooks
  {
    name: 'a throwing subject resolver denies and is reported',
    subject: 'throw',
    request: get('/invoices'),
    expect: { ...failed, errors: ['session store unreachable'] },
  },
  {
    name: 'a subject reader that rejects denies and is reported',
    subject: 'reject',
    request: get('/invoices'),
    expect: { ...failed, errors: ['token introspection failed'] },
  },
  {
    name: 'a malformed subject denies',
    subject: 'malformed',
    request: get('/invoices'),
    expect: { ...failed, errors: ['Invalid subject: "id" must be a non-empty string'] },
  },
  {
    name: 'a throwing audit hook neither slows nor breaks the request',
    subject: 'auditbomb',
    request: get('/invoices'),
    expect: { ...ok({ route: 'GET /invoices' }), errors: ['audit sink down'] },
  },

  // HEAD and OPTIONS
  {
    name: 'HEAD is guarded by the GET route: allowed',
    subject: 'vera',
    request: { method: 'HEAD', path: '/invoices' },
    expect: { status: 200, headers: JSON_TYPE },
  },
  {
    name: 'HEAD is guarded by the GET route: denied, without a body',
    subject: 'mia',
    request: { method: 'HEAD', path: '/invoices' },
    expect: { status: 403, headers: PROBLEM },
  },
  {
    name: 'HEAD without a subject: 401',
    request: { method: 'HEAD', path: '/invoices' },
    expect: { status: 401, headers: unauthenticated.headers },
  },
  {
    name: "OPTIONS on a guarded OPTIONS route runs that route's guard: denied",
    subject: 'vera',
    request: { method: 'OPTIONS', path: '/exports' },
    expect: forbidden('Permission "reports:export" required.', {
      permission: 'reports:export',
      reason: 'no-grant',
    }),
  },
  {
    name: "OPTIONS on a guarded OPTIONS route runs that route's guard: no subject",
    request: { method: 'OPTIONS', path: '/exports' },
    expect: unauthenticated,
  },
  {
    name: "OPTIONS on a guarded OPTIONS route runs that route's guard: allowed",
    subject: 'fiona',
    request: { method: 'OPTIONS', path: '/exports' },
    expect: { status: 204 },
  },
  {
    name: "a preflight OPTIONS on a GET route is the framework's answer, not a guard's",
    request: { method: 'OPTIONS', path: '/invoices' },
    expect: { status: 200, headers: { allow: 'GET, HEAD, POST' }, audit: [] },
  },

  // X-HTTP-Method-Override cannot change what is checked
  {
    name: 'override on GET is ignored: the GET route and its guard apply',
    subject: 'mia',
    request: get('/invoices', { 'x-http-method-override': 'POST' }),
    expect: noInvoiceRead,
  },
  {
    name: "a POST overridden to DELETE meets the DELETE route's guard",
    subject: 'vera',
    request: {
      method: 'POST',
      path: '/users/u9',
      headers: { 'x-http-method-override': 'DELETE' },
    },
    expect: adminRequired,
  },
  {
    name: 'a POST overridden to DELETE by an admin runs the DELETE route',
    subject: 'root',
    request: {
      method: 'POST',
      path: '/users/u9',
      headers: { 'x-http-method-override': 'DELETE' },
    },
    expect: ok({ route: 'DELETE /users/:id', id: 'u9' }),
  },
  {
    name: 'a POST overridden to GET is checked as the GET route and runs only the GET handler',
    subject: 'vera',
    request: {
      method: 'POST',
      path: '/invoices',
      headers: { 'x-http-method-override': 'GET' },
    },
    expect: ok({ route: 'GET /invoices' }),
  },
  {
    name: "a POST overridden to GET still needs the GET route's permission",
    subject: 'mia',
    request: {
      method: 'POST',
      path: '/invoices',
      headers: { 'x-http-method-override': 'GET' },
    },
    expect: noInvoiceRead,
  },

  // hostile and huge subjects
  {
    name: 'hostile role names grant nothing',
    subject: 'mallory',
    request: get('/invoices'),
    expect: noInvoiceRead,
  },
  {
    name: 'hostile role names do not make an admin',
    subject: 'mallory',
    request: { method: 'DELETE', path: '/users/u9' },
    expect: adminRequired,
  },
  {
    name: 'a scope named __proto__ picks up nothing inherited',
    subject: 'mallory',
    request: get('/teams/__proto__/settings'),
    expect: forbidden(
      'One of the roles "project_lead" or "admin" is required in scope "team:__proto__".',
      { role: ['project_lead', 'admin'] },
      'team:__proto__',
    ),
  },
  {
    name: 'a scope named constructor picks up nothing inherited',
    subject: 'vera',
    request: { method: 'POST', path: '/teams/constructor/projects' },
    expect: forbidden(
      'Permission "projects:write" required in scope "team:constructor".',
      { permission: 'projects:write', reason: 'no-grant' },
      'team:constructor',
    ),
  },
  {
    name: 'entries of a role list that are not strings are dropped, the rest counts',
    subject: 'junk',
    request: get('/invoices'),
    expect: ok({ route: 'GET /invoices' }),
  },
  {
    name: 'a huge role list decides like a short one: allowed',
    subject: 'crowd',
    request: get('/invoices'),
    expect: ok({ route: 'GET /invoices' }),
  },
  {
    name: 'a huge role list decides like a short one: denied',
    subject: 'crowd',
    request: { method: 'POST', path: '/invoices' },
    expect: forbidden('Permission "invoices:write" required.', {
      permission: 'invoices:write',
      reason: 'no-grant',
    }),
  },

  // impersonation
  {
    name: "impersonation allowed: decisions use the target's roles, audit names the real actor",
    subject: 'sam',
    request: { method: 'POST', path: '/invoices', headers: { 'x-act-as': 'carol' } },
    expect: {
      ...ok({ route: 'POST /invoices' }),
      audit: [
        {
          permissions: ['invoices:write'],
          actor: 'sam',
          subject: 'carol',
          scope: undefined,
          allowed: true,
          reason: 'granted',
        },
      ],
    },
  },
  {
    name: 'impersonation: the handler sees the effective subject and the real actor',
    subject: 'sam',
    request: get('/whoami', { 'x-act-as': 'carol' }),
    expect: ok({ subject: 'carol', actor: 'sam', impersonating: true }),
  },
  {
    name: 'impersonation with a named default role instead of the target roles',
    subject: 'sam',
    request: {
      method: 'POST',
      path: '/invoices',
      headers: { 'x-act-as': 'carol', 'x-act-as-role': 'viewer' },
    },
    expect: forbidden('Permission "invoices:write" required.', {
      permission: 'invoices:write',
      reason: 'no-grant',
    }),
  },
  {
    name: 'impersonation refused for a role the app does not let it pick, audited as refused',
    subject: 'sam',
    request: get('/invoices', { 'x-act-as': 'carol', 'x-act-as-role': 'finance' }),
    expect: {
      status: 403,
      headers: PROBLEM,
      body: {
        type: `${TYPE}forbidden`,
        title: 'Forbidden',
        status: 403,
        detail: 'The role asked for may not be acted with.',
        permission: 'customers:impersonate',
        reason: 'impersonation-refused',
      },
      audit: [
        {
          permissions: ['customers:impersonate'],
          actor: 'sam',
          subject: undefined,
          scope: undefined,
          allowed: false,
          reason: 'impersonation-refused',
        },
      ],
    },
  },
  {
    name: 'impersonation refused without the impersonate permission, audited under the actor',
    subject: 'vera',
    request: get('/invoices', { 'x-act-as': 'carol' }),
    expect: {
      ...forbidden('Permission "customers:impersonate" required.', {
        permission: 'customers:impersonate',
        reason: 'no-grant',
      }),
      audit: [
        {
          permissions: ['customers:impersonate'],
          actor: 'vera',
          subject: undefined,
          scope: undefined,
          allowed: false,
          reason: 'no-grant',
        },
      ],
    },
  },
  {
    name: 'impersonation refused for a target holding a superuser role the actor lacks',
    subject: 'sam',
    request: get('/whoami', { 'x-act-as': 'root' }),
    expect: {
      status: 403,
      headers: PROBLEM,
      body: {
        type: `${TYPE}forbidden`,
        title: 'Forbidden',
        status: 403,
        detail: 'Cannot act on behalf of a subject holding superuser role "admin".',
        permission: 'customers:impersonate',
        reason: 'impersonation-refused',
      },
    },
  },
  {
    name: 'impersonation refused for a target holding a superuser role in one scope only',
    subject: 'sam',
    request: get('/whoami', { 'x-act-as': 'teamroot' }),
    expect: {
      status: 403,
      headers: PROBLEM,
      body: {
        type: `${TYPE}forbidden`,
        title: 'Forbidden',
        status: 403,
        detail:
          'Cannot act on behalf of a subject holding superuser role "admin" in scope "team:7".',
        permission: 'customers:impersonate',
        reason: 'impersonation-refused',
      },
    },
  },
  {
    name: 'impersonation refused for an unknown target',
    subject: 'sam',
    request: get('/whoami', { 'x-act-as': 'ghost' }),
    expect: {
      status: 403,
      headers: PROBLEM,
      body: {
        type: `${TYPE}forbidden`,
        title: 'Forbidden',
        status: 403,
        detail: 'There is no such subject to act on behalf of.',
        permission: 'customers:impersonate',
        reason: 'impersonation-refused',
      },
    },
  },

  // redaction
  {
    name: 'redactFor removes the fields the caller may not read',
    subject: 'sam',
    request: get('/customers/c1/profile'),
    expect: ok(acmeForSupport),
  },
  {
    name: 'redactFor keeps everything for a conditional reader of this instance',
    subject: 'ann',
    request: get('/customers/c1/profile'),
    expect: ok(acme),
  },
  {
    name: 'redactFor checks read on the resource first',
    subject: 'ann',
    request: get('/customers/c2/profile'),
    expect: forbidden('Permission "customers:read" required.', {
      permission: 'customers:read',
      reason: 'condition-failed',
    }),
  },
  {
    name: 'redactFor redacts arrays element by element',
    subject: 'sam',
    request: get('/customers'),
    expect: ok([acmeForSupport, globexForSupport]),
  },
  {
    name: 'redactFor redacts class instances and what toJSON writes, as they are sent',
    subject: 'sam',
    request: get('/customer-entities'),
    expect: ok([acmeForSupport, globexForSupport]),
  },
  {
    name: 'redactFor leaves everything to a superuser',
    subject: 'root',
    request: get('/customers'),
    expect: ok([acme, globex]),
  },

  // problemErrors(): what a handler's assert() throws, answered as a guard answers
  {
    name: "problemErrors(): a handler's assert() allowed lets the handler answer",
    subject: 'fiona',
    request: get('/invoices/assert'),
    expect: ok({ route: 'GET /invoices/assert' }),
  },
  {
    name: "problemErrors(): a handler's assert() denied is the guard's 403 problem",
    subject: 'vera',
    request: get('/invoices/assert'),
    expect: forbidden('Permission "invoices:write" required.', {
      permission: 'invoices:write',
      reason: 'no-grant',
    }),
  },
  {
    name: "problemErrors(): a handler's assert() without a subject is 401 with WWW-Authenticate",
    request: get('/invoices/assert'),
    expect: unauthenticated,
  },
  {
    name: "problemErrors(): a handler's assert() with the store down is 503, reported to onError",
    subject: 'outage',
    request: get('/invoices/assert'),
    expect: {
      status: 503,
      headers: { ...PROBLEM, 'retry-after': '1' },
      body: {
        type: `${TYPE}backend-unavailable`,
        title: 'Authorization backend unavailable',
        status: 503,
        detail: 'The assignment store did not answer.',
      },
      errors: ['The assignment store did not answer.'],
    },
  },

  // the free guards
  {
    name: 'a free guard without a rolegate uses the request rolegate',
    subject: 'mia',
    request: get('/free/unbound'),
    expect: noInvoiceRead,
  },
  {
    name: 'a free guard bound with { rolegate } decides the same',
    subject: 'vera',
    request: get('/free/bound'),
    expect: ok({ route: 'GET /free/bound' }),
  },
]
