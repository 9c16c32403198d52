// oidc-provider ships no types; the test mock uses a handful of its calls.
declare module 'oidc-provider';
