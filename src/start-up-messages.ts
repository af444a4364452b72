import type { AddressInfo } from 'node:net';
import type { DemoAccount } from './modules/demo/index.ts';

/** The pages a newcomer opens first, on the address the server listens on. */
export interface ServedUrls {
  site: string;
  console: string;
  clinic: string;
}

/** Where a browser on this machine reaches the server: `localhost` for a loopback or any-interface bind, else the address itself. */
export function servedUrls(address: AddressInfo | string | null, host: string): ServedUrls {
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  const local = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(host);
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const origin = `http://${name}:${port}`;
  return { site: `${origin}/`, console: `${origin}/console/`, clinic: `${origin}/clinic/` };
}

/** The one line that says the server is up and where to look. */
export function servingMessage(urls: ServedUrls): string {
  return `Yeyak is serving: site ${urls.site} · operator console ${urls.console} · clinic portal ${urls.clinic}`;
}

/**
 * The demo accounts with their initial passwords, for standard output only: written once, at the
 * first start, never through the logger (whose lines may be kept), never stored in clear.
 */
export function demoAccountsText(accounts: readonly DemoAccount[], urls: ServedUrls): string {
  const width = Math.max(urls.console.length, urls.clinic.length);
  const rows = accounts.map((a) =>
    a.role === 'clinic_staff'
      ? `  clinic portal     ${urls.clinic.padEnd(width)}  username ${a.username.padEnd(13)}  password ${a.password}  (clinic ${a.institutionId})`
      : `  operator console  ${urls.console.padEnd(width)}  username ${a.username.padEnd(13)}  password ${a.password}`,
  );
  return [
    '',
    'Demo staff accounts (shown this once; only their hashes are stored — note the passwords now,',
    'or delete ./data to start afresh):',
    ...rows,
    '',
  ].join('\n');
}
