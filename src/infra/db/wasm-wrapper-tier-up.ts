import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8 from ever recompiling the wrappers through which WebAssembly calls JavaScript.
 *
 * V8 13.6 (Node 24) calls an import through a generic wrapper and, after 1,000 calls of that
 * import (`--wasm-wrapper-tiering-budget`), compiles a wrapper of its own and frees the old one
 * (`Runtime_TierUpWasmToJSWrapper`). That path can abort the whole process: CI and this machine
 * saw `Check failed: jit_page.has_value()` (SIGTRAP) under
 * `Runtime_TierUpWasmToJSWrapper` → `WasmImportWrapperCache::Free` →
 * `ThreadIsolation::UnregisterWasmAllocation`, in about 1 run in 20 of
 * `src/infra/db/pglite-thread.test.ts`. PGlite calls its imports constantly, so every embedded
 * database started the tier-up of dozens of wrappers. With the budget at its maximum a wrapper is
 * never recompiled (an import would need 2^31 calls). The generic wrapper costs nanoseconds per
 * call, lost in a statement's 200 µs through the thread: in alternated runs of 10,000 statements,
 * 188–208 µs each with the budget at its maximum, 196–237 µs without.
 *
 * V8's flags are the process's, so this is called before PGlite instantiates its module.
 */
export function keepWasmImportWrappersGeneric(): void {
  setFlagsFromString(`--wasm-wrapper-tiering-budget=${2 ** 31 - 1}`);
}
