/**
 * Self-signed certificates (EC P-256, valid until 2126) for unit tests that need a SAML
 * connection: the mapper parses every certificate at start-up, so a placeholder will not do. No
 * test signs with them; the real signed responses are in test/idp with keys made per run.
 */
export const TEST_CERTIFICATE_A = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUOgAwIBAgIUAw4y87lmpbI+slmbqE/8Us7fkm8wCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYcm9sZWdhdGUtdW5pdC10ZXN0LWlkcC1hMCAXDTI2MTEyNDIx
Mjk1OFoYDzIxMjYxMDMxMjEyOTU4WjAjMSEwHwYDVQQDDBhyb2xlZ2F0ZS11bml0
LXRlc3QtaWRwLWEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARbAAt93vQGyopd
xXqY5znF6Gc0IW+m20szWf4+o1DopnBVf51LfJkVVgqPax8UJ5dkmgbzsem6v5+H
W+CZs7B9o1MwUTAdBgNVHQ4EFgQUgI6SBdc8NStdxUfNS8lXPtw3zsgwHwYDVR0j
BBgwFoAUgI6SBdc8NStdxUfNS8lXPtw3zsgwDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNHADBEAiA1T22reALRtvLT4idbcUPbP4uVrEYBbp3ztC7NCUE45wIg
XK/7c4BVGRHoLXTzi/sOyHCQmmOmTzcNGDOak8F1RSs=
-----END CERTIFICATE-----
`

export const TEST_CERTIFICATE_B = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUOgAwIBAgIUZwEGrd0Th5gM71iJ+QG61FgXLtUwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYcm9sZWdhdGUtdW5pdC10ZXN0LWlkcC1iMCAXDTI2MTEyNDIx
Mjk1OFoYDzIxMjYxMDMxMjEyOTU4WjAjMSEwHwYDVQQDDBhyb2xlZ2F0ZS11bml0
LXRlc3QtaWRwLWIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARiFMT7tRX8JYj1
dvvjTUT2Sam+QZXX5qAFih2r6GvQtDH16JYFRUa5mSHNwte74UW3jUOBieGmgi0g
CC+JJcG0o1MwUTAdBgNVHQ4EFgQUiKfIyuKcghCYIqxI+oH1GElx7fYwHwYDVR0j
BBgwFoAUiKfIyuKcghCYIqxI+oH1GElx7fYwDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNHADBEAiAiyWsGMCrdrvFKDUcpsD5+phROF+rLIKgp0DSSGTkrVAIg
HyD3ExNzmNj+AjQojvcRTVnMc+1ukb4lzph2LKXrHsg=
-----END CERTIFICATE-----
`
