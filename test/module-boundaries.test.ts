import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import moduleBoundaries from '../eslint/module-boundaries.js';

// The lint rules of the module boundaries (eslint/module-boundaries.js), each shown to refuse what
// it is for and to let the rest pass. Paths are real places in the repository.

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ROOT = new URL('..', import.meta.url).pathname;
const at = (path: string) => `${ROOT}${path}`;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module' } });

tester.run('public-entry', moduleBoundaries.rules['public-entry'], {
  valid: [
    { filename: at('src/modules/booking/booking.service.ts'), code: "import { findPerson } from '../identity/index.ts';" },
    { filename: at('src/modules/booking/booking.service.ts'), code: "import { takeDose } from './capacity-ledger.ts';" },
    { filename: at('src/modules/identity/oidc/oidc.routes.ts'), code: "import { signIn } from '../sign-in.ts';" },
    { filename: at('src/app.ts'), code: "import { bookingRoutes } from './modules/booking/index.ts';" },
    { filename: at('src/lib/clock.ts'), code: "import { x } from './seoul-time.ts';" },
    { filename: at('src/web/site/waiting.entry.ts'), code: "import { waitFor } from '../../modules/waiting-room/domain/eta.ts';" },
    { filename: at('src/web/console/dashboard.ts'), code: "import type { LiveFrame } from '../../modules/operator/live/live-frame.ts';" },
    { filename: at('test/booking.test.ts'), code: "import { takeDose } from '../src/modules/booking/capacity-ledger.ts';" },
  ],
  invalid: [
    { filename: at('src/modules/booking/booking.service.ts'), code: "import { findPerson } from '../identity/persons.repository.ts';", errors: [{ messageId: 'reachIn' }] },
    { filename: at('src/modules/booking/booking.service.ts'), code: "import type { Person } from '../identity/sign-in.ts';", errors: [{ messageId: 'reachIn' }] },
    { filename: at('src/modules/booking/booking.service.ts'), code: "export { signIn } from '../identity/sign-in.ts';", errors: [{ messageId: 'reachIn' }] },
    { filename: at('src/modules/booking/booking.service.ts'), code: "const m = await import('../identity/sign-in.ts');", errors: [{ messageId: 'reachIn' }] },
    { filename: at('src/app.ts'), code: "import { bookingRoutes } from './modules/booking/booking.routes.ts';", errors: [{ messageId: 'reachIn' }] },
    { filename: at('src/modules/identity/oidc/oidc.routes.ts'), code: "import { x } from '../../booking/domain/rules.ts';", errors: [{ messageId: 'reachIn' }] },
    { filename: at('src/web/site/waiting.entry.ts'), code: "import { WaitingRoom } from '../../modules/waiting-room/index.ts';", errors: [{ messageId: 'serverCodeInBrowser' }] },
  ],
});

tester.run('private-repositories', moduleBoundaries.rules['private-repositories'], {
  valid: [
    { filename: at('src/modules/booking/index.ts'), code: "export { bookingRoutes } from './booking.routes.ts';" },
    { filename: at('src/modules/booking/index.ts'), code: "export { countBookings } from './bookings.repository.ts';", options: [{ known: ['booking/countBookings'] }] },
    { filename: at('src/modules/booking/booking.service.ts'), code: "export { countBookings } from './bookings.repository.ts';" },
  ],
  invalid: [
    { filename: at('src/modules/booking/index.ts'), code: "export { countBookings } from './bookings.repository.ts';", errors: [{ messageId: 'repository' }] },
    { filename: at('src/modules/booking/index.ts'), code: "export { a, b } from './bookings.repository.ts';", options: [{ known: ['booking/a'] }], errors: [{ messageId: 'repository' }] },
    { filename: at('src/modules/booking/index.ts'), code: "export * from './bookings.repository.ts';", errors: [{ messageId: 'repository' }] },
  ],
});
