/**
 * The address of person `i` of a bench's crowd, sent as `X-Forwarded-For` to an app that trusts the
 * bench as its balancer (`YEYAK_TRUST_PROXY=127.0.0.1`, as `appEnvironment` sets): each person
 * comes from an address of their own, as a national crowd does, so the per-address abuse limit
 * stays at its default. `block` (0–255) keeps two crowds of one run apart; bench/wrk/sign-in.lua
 * uses blocks 1 and 2.
 */
export function crowdAddress(i: number, block: number): string {
  return `10.${block}.${Math.floor(i / 256) % 256}.${i % 256}`;
}
