/** The registry module's public surface: what the rest of the server may use (the other files are private). */
export { RegistryClient } from './registry-client.ts';
export { scheduledImport } from './registry-import.ts';
export { registryReporter } from './registry-reporter.ts';
