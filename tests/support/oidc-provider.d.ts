// oidc-provider ships no type declarations; the tests use it as a real OpenID Connect provider.
declare module 'oidc-provider';
