import { ValidateInResponseTo, Strategy as SamlStrategy } from '@node-saml/passport-saml'
import {
  adfs,
  createClaimMapper,
  eduPerson,
  entraIdSaml,
  SAML_ATTRIBUTES,
  type ClaimsSubject,
} from '@rolegate/claims'
import { samlStrategyOptions, samlVerify } from '@rolegate/claims/passport-saml'
import express from 'express'
import passport from 'passport'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import {
  buildSamlResponse,
  decodeSamlResponse,
  generateSigningKey,
  signSamlXml,
  tamperSamlAttribute,
  testIdpKey,
  type SamlResponseOptions,
  type SamlSigningKey,
} from '../support/saml-idp.js'
import { ALL_401, allowedOnly, idpApp, login, probe, rg, type Auth } from './idp-app.js'
import { listenOnLoopback, type LoopbackListener } from '../support/loopback-listener.js'

const SP_ENTITY_ID = 'https://app.rolegate.test/saml'
const ENTRA_ISSUER = 'https://sts.windows.net/tenant-1/'
const ADFS_ISSUER = 'http://adfs.rolegate.test/adfs/services/trust'
const EDU_ISSUER = 'https://idp.university.test/idp/shibboleth'
const FINANCE_GID = '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const { groups: GROUPS, role: ROLE, tenantId: TENANT_ID, emailAddress: EMAIL } = SAML_ATTRIBUTES

describe('SAML logins through @node-saml/passport-saml with signed responses', () => {
  let app: LoopbackListener
  let key: SamlSigningKey
  let attackerKey: SamlSigningKey
  let retiredKey: SamlSigningKey

  beforeAll(async () => {
    ;[app, key, attackerKey, retiredKey] = await Promise.all([
      listenOnLoopback(),
      testIdpKey(),
      generateSigningKey('attacker'),
      generateSigningKey('retired-idp-key'),
    ])
    const mapper = createClaimMapper({
      rolegate: rg,
      connections: {
        entra: {
          protocol: 'saml',
          issuer: ENTRA_ISSUER,
          certificates: key.cert,
          tenants: ['tenant-1'],
          rules: entraIdSaml({
            groups: { [FINANCE_GID]: 'finance' },
            appRoles: { 'Billing.Admin': 'admin' },
          }),
          defaultRoles: ['analyst'],
        },
        adfs: {
          protocol: 'saml',
          issuer: ADFS_ISSUER,
          // Two certificates, as during a key rollover: the second one signs the tests' responses.
          certificates: [retiredKey.cert, key.cert],
          rules: adfs({ roles: { 'Billing Support': 'support' } }),
        },
        edu: {
          protocol: 'saml',
          issuer: EDU_ISSUER,
          certificates: key.cert,
          rules: eduPerson({ entitlements: { 'urn:mace:university.test:billing:admin': 'admin' } }),
        },
      },
    })
    const auth = new passport.Passport() as Auth
    for (const connection of mapper.connections) {
      const verify = samlVerify({ mapper, connection })
      const strategy = new SamlStrategy(
        {
          ...samlStrategyOptions({ mapper, connection }),
          name: connection,
          callbackUrl: `${app.url}/saml/${connection}/acs`,
          issuer: SP_ENTITY_ID,
          audience: SP_ENTITY_ID,
          // node-saml 5 defaults this to true; an IdP that signs only the assertion needs false.
          wantAuthnResponseSigned: false,
          validateInResponseTo: ValidateInResponseTo.never,
        },
        verify,
        verify,
      )
      // passport-saml 5's types use @types/express 4 (node-saml/passport-saml#963).
      auth.use(strategy as unknown as passport.Strategy)
    }
    app.serve(
      idpApp(auth, (routes) => {
        for (const connection of mapper.connections) {
          routes.post(
            `/saml/${connection}/acs`,
            express.urlencoded({ extended: false, limit: '2mb' }),
            login(auth, connection),
          )
        }
      }),
    )
  })

  afterAll(async () => {
    await app.close()
  })

  const acsUrl = (connection: string) => `${app.url}/saml/${connection}/acs`

  const entraResponse = (overrides: Partial<SamlResponseOptions> = {}) =>
    buildSamlResponse({
      issuer: ENTRA_ISSUER,
      audience: SP_ENTITY_ID,
      acsUrl: acsUrl('entra'),
      nameId: 'carol-persistent-id',
      attributes: {
        [GROUPS]: [FINANCE_GID, 'ffffffff-0000-0000-0000-000000000000'],
        [TENANT_ID]: 'tenant-1',
        [EMAIL]: 'carol@contoso.test',
      },
      sign: 'assertion',
      key,
      ...overrides,
    })

  /** A response whose Assertion's Issuer differs from the Response's, then signed. */
  async function withAssertionIssuer(
    issuer: string,
    attributes?: SamlResponseOptions['attributes'],
  ) {
    const unsigned = decodeSamlResponse(
      await entraResponse({ sign: 'none', ...(attributes === undefined ? {} : { attributes }) }),
    )
    const parts = unsigned.split(`<saml:Issuer>${ENTRA_ISSUER}</saml:Issuer>`)
    expect(parts).toHaveLength(3)
    const xml = `${parts[0]}<saml:Issuer>${ENTRA_ISSUER}</saml:Issuer>${parts[1]}<saml:Issuer>${issuer}</saml:Issuer>${parts[2]}`
    return Buffer.from(signSamlXml(xml, 'assertion', key), 'utf8').toString('base64')
  }

  async function post(connection: string, SAMLResponse: string) {
    const agent = request.agent(app.url)
    const callback = await agent.post(`/saml/${connection}/acs`).type('form').send({ SAMLResponse })
    const me = await agent.get('/me')
    return { agent, callback: [callback.status, callback.body as unknown], me }
  }

  async function loggedIn(connection: string, SAMLResponse: string) {
    const { agent, callback, me } = await post(connection, SAMLResponse)
    expect(callback).toEqual([302, {}])
    return { user: me.body as ClaimsSubject, routes: await probe(agent) }
  }

  async function refused(connection: string, SAMLResponse: string) {
    const { agent, callback, me } = await post(connection, SAMLResponse)
    return { callback, me: me.status, routes: await probe(agent) }
  }

  const unauthenticated = (error: string) => ({
    callback: [401, { error }],
    me: 401,
    routes: ALL_401,
  })

  describe('roles from signed assertions', () => {
    test('Entra ID: groups map by object id, the default role is added, issuer is the assertion’s', async () => {
      const { user, routes } = await loggedIn('entra', await entraResponse())
      expect(user).toEqual({
        id: 'entra:carol-persistent-id',
        roles: ['analyst', 'finance'],
        scoped: {},
        attributes: {
          connection: 'entra',
          issuer: ENTRA_ISSUER,
          sub: 'carol-persistent-id',
          email: 'carol@contoso.test',
          tenant: 'tenant-1',
        },
        mapping: {
          trace: [
            { role: 'analyst', rule: 'defaultRoles' },
            { role: 'finance', rule: 'entra-saml.groups', claim: GROUPS, value: FINANCE_GID },
          ],
          warnings: [],
        },
      })
      expect(routes).toEqual(allowedOnly('GET /invoices', 'POST /invoices', 'GET /reports'))
    })

    test('Entra ID: a response signed as a whole and on the assertion logs in too', async () => {
      const { user } = await loggedIn('entra', await entraResponse({ sign: 'both' }))
      expect(user.roles).toEqual(['analyst', 'finance'])
    })

    test('AD FS: a single role value maps; the second configured certificate validates', async () => {
      const SAMLResponse = await buildSamlResponse({
        issuer: ADFS_ISSUER,
        audience: SP_ENTITY_ID,
        acsUrl: acsUrl('adfs'),
        nameId: 'CONTOSO\\dave',
        attributes: { [ROLE]: 'Billing Support' },
        sign: 'assertion',
        key,
      })
      const { user, routes } = await loggedIn('adfs', SAMLResponse)
      expect([user.id, user.roles]).toEqual(['adfs:CONTOSO\\dave', ['support']])
      expect(routes).toEqual(allowedOnly('GET /invoices'))
    })

    test('eduPersonEntitlement: an exact entitlement URI maps, a longer one does not', async () => {
      const response = (entitlement: string) =>
        buildSamlResponse({
          issuer: EDU_ISSUER,
          audience: SP_ENTITY_ID,
          acsUrl: acsUrl('edu'),
          nameId: 'erin@university.test',
          attributes: { [SAML_ATTRIBUTES.eduPersonEntitlement]: [entitlement] },
          sign: 'assertion',
          key,
        })
      const admin = await loggedIn('edu', await response('urn:mace:university.test:billing:admin'))
      expect([admin.user.roles, admin.routes['GET /admin']]).toEqual([['admin'], 200])
      const longer = await loggedIn(
        'edu',
        await response('urn:mace:university.test:billing:admin:x'),
      )
      expect([longer.user.roles, longer.routes]).toEqual([[], allowedOnly()])
    })
  })

  describe('negative cases end in no roles or a 401, never an allow', () => {
    test('without a login every guarded route is 401', async () => {
      expect(await probe(request.agent(app.url))).toEqual(ALL_401)
    })

    test.each(['none', 'response'] as const)(
      'an assertion not signed (sign: %s) is refused',
      async (sign) => {
        expect(await refused('entra', await entraResponse({ sign }))).toEqual(
          unauthenticated('Invalid signature'),
        )
      },
    )

    test('an attribute changed after signing is refused', async () => {
      const tampered = tamperSamlAttribute(await entraResponse(), GROUPS, [FINANCE_GID, 'admins'])
      expect(await refused('entra', tampered)).toEqual(unauthenticated('Invalid signature'))
    })

    test('a response signed by another key is refused', async () => {
      expect(await refused('entra', await entraResponse({ key: attackerKey }))).toEqual(
        unauthenticated('Invalid signature'),
      )
    })

    test('an expired assertion is refused', async () => {
      const now = Date.now()
      const expired = { notBefore: new Date(now - 600_000), notOnOrAfter: new Date(now - 60_000) }
      expect(await refused('entra', await entraResponse(expired))).toEqual(
        unauthenticated('SAML assertion expired: clocks skewed too much'),
      )
    })

    test('an assertion for another audience is refused', async () => {
      expect(
        await refused('entra', await entraResponse({ audience: 'https://other-sp.test' })),
      ).toEqual(
        unauthenticated(
          `SAML assertion audience mismatch. Expected: ${SP_ENTITY_ID} Received: https://other-sp.test`,
        ),
      )
    })

    test('a response from another issuer, signed with the trusted key, is refused', async () => {
      expect(
        await refused(
          'entra',
          await entraResponse({ issuer: 'https://sts.windows.net/tenant-2/' }),
        ),
      ).toEqual(unauthenticated('rolegate: issuer-mismatch'))
    })

    test('an assertion whose Issuer differs from the response’s is refused', async () => {
      expect(await refused('entra', await withAssertionIssuer('https://evil.test/'))).toEqual(
        unauthenticated('rolegate: issuer-mismatch'),
      )
    })

    test('an attribute named issuer does not stand in for the assertion’s Issuer', async () => {
      const attributes = { issuer: ENTRA_ISSUER, [GROUPS]: FINANCE_GID, [TENANT_ID]: 'tenant-1' }
      expect(
        await refused('entra', await withAssertionIssuer('https://evil.test/', attributes)),
      ).toEqual(unauthenticated('rolegate: issuer-mismatch'))
    })

    test('an assertion of another connection’s issuer is refused on this connection’s ACS', async () => {
      const adfsResponse = await buildSamlResponse({
        issuer: ADFS_ISSUER,
        audience: SP_ENTITY_ID,
        acsUrl: acsUrl('entra'),
        nameId: 'dave',
        attributes: { [GROUPS]: FINANCE_GID, [TENANT_ID]: 'tenant-1' },
        sign: 'assertion',
        key,
      })
      expect(await refused('entra', adfsResponse)).toEqual(
        unauthenticated('rolegate: issuer-mismatch'),
      )
    })

    test('an assertion from another tenant is refused', async () => {
      const attributes = { [GROUPS]: FINANCE_GID, [TENANT_ID]: 'tenant-2' }
      expect(await refused('entra', await entraResponse({ attributes }))).toEqual(
        unauthenticated('rolegate: tenant-not-allowed'),
      )
    })

    test('a groups overage (groups.link) is refused, default role included', async () => {
      const attributes = {
        [SAML_ATTRIBUTES.groupsLink]:
          'https://graph.windows.net/tenant-1/users/carol/getMemberObjects',
        [TENANT_ID]: 'tenant-1',
      }
      expect(await refused('entra', await entraResponse({ attributes }))).toEqual(
        unauthenticated('rolegate: overage'),
      )
    })

    test('confusable, case-variant and look-alike role values give no role', async () => {
      const attributes = {
        [ROLE]: [
          'billing.admin',
          'BILLING.ADMIN',
          'Bılling.Admin',
          'Ｂilling.Admin',
          'Billing.Admin ',
          'Billing.Administrator',
          'SuperBilling.Admin',
        ],
        [TENANT_ID]: 'tenant-1',
      }
      const { user, routes } = await loggedIn('entra', await entraResponse({ attributes }))
      expect([user.roles, routes]).toEqual([['analyst'], allowedOnly('GET /reports')])
    })

    test('a huge groups attribute gives nothing from its rule, with a warning', async () => {
      const groups = [...Array.from({ length: 1500 }, (_, i) => `g-${i}`), FINANCE_GID]
      const attributes = { [GROUPS]: groups, [TENANT_ID]: 'tenant-1' }
      const { user, routes } = await loggedIn('entra', await entraResponse({ attributes }))
      expect([user.roles, user.mapping.warnings]).toEqual([
        ['analyst'],
        [
          {
            code: 'too-many-values',
            rule: 'entra-saml.groups',
            claim: GROUPS,
            message: 'claim has 1501 values, more than 1000: the rule gives nothing',
          },
        ],
      ])
      expect(routes).toEqual(allowedOnly('GET /reports'))
    })

    test('an attribute named twice is refused: node-saml would keep only its last values', async () => {
      const SAMLResponse = await entraResponse({
        attributes: { [TENANT_ID]: 'tenant-1' },
        attributeList: [
          [GROUPS, 'ffffffff-0000-0000-0000-000000000000'],
          [GROUPS, FINANCE_GID],
        ],
      })
      expect(await refused('entra', SAMLResponse)).toEqual(
        unauthenticated('rolegate: duplicate-attribute'),
      )
    })

    test('an attribute named nameID does not stand in for a missing NameID', async () => {
      const SAMLResponse = await entraResponse({
        nameId: null,
        attributes: { nameID: 'root', [GROUPS]: FINANCE_GID, [TENANT_ID]: 'tenant-1' },
      })
      expect(await refused('entra', SAMLResponse)).toEqual(
        unauthenticated('rolegate: the assertion has no NameID'),
      )
    })

    /** A signed Entra response whose Subject holds `subject` in place of its NameID element. */
    async function withSubjectId(subject: string) {
      const attributes = {
        nameID: 'victim-persistent-id',
        [GROUPS]: FINANCE_GID,
        [TENANT_ID]: 'tenant-1',
      }
      const unsigned = decodeSamlResponse(
        await entraResponse({ sign: 'none', nameId: 'placeholder', attributes }),
      )
      const xml = unsigned.replace(/<saml:NameID [^>]*>placeholder<\/saml:NameID>/, subject)
      expect(xml).not.toBe(unsigned)
      return Buffer.from(signSamlXml(xml, 'assertion', key), 'utf8').toString('base64')
    }

    // node-saml sets profile.nameID only from NameID text, and then copies an attribute named
    // nameID onto the profile: without these checks each of these logged in as the victim.
    test.each([
      ['an empty NameID', `<saml:NameID Format="${PERSISTENT}"></saml:NameID>`],
      ['a self-closing NameID', '<saml:NameID/>'],
      ['a NameID of white space', '<saml:NameID> \n </saml:NameID>'],
    ])('%s with an attribute named nameID is refused', async (_, subject) => {
      expect(await refused('entra', await withSubjectId(subject))).toEqual(
        unauthenticated('rolegate: the NameID of the assertion is empty'),
      )
    })

    test('an EncryptedID with an attribute named nameID is refused: node-saml does not decrypt it', async () => {
      const encrypted =
        '<saml:EncryptedID><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></saml:EncryptedID>'
      expect(await refused('entra', await withSubjectId(encrypted))).toEqual(
        unauthenticated(
          'rolegate: the assertion has an EncryptedID: encrypted NameIDs are not supported',
        ),
      )
    })

    test('attributes named __proto__ and constructor give no role', async () => {
      const attributes = {
        ['__proto__']: [FINANCE_GID, 'Billing.Admin'],
        constructor: 'Billing.Admin',
        [TENANT_ID]: 'tenant-1',
      }
      const { user, routes } = await loggedIn('entra', await entraResponse({ attributes }))
      expect([user.roles, user.mapping]).toEqual([
        ['analyst'],
        { trace: [{ role: 'analyst', rule: 'defaultRoles' }], warnings: [] },
      ])
      expect(routes).toEqual(allowedOnly('GET /reports'))
    })
  })
})
