import { Type } from 'typebox';
import { DateString } from '../../http/schemas.ts';

/** Name, birth date and phone as a person (or a guardian, or an agent) types them. */
export const ClaimedIdentityBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
    birthDate: DateString,
    phone: Type.String({ pattern: '^01[016789]-?\\d{3,4}-?\\d{4}$' }),
  },
  { additionalProperties: false },
);

export const PersonView = Type.Object({ maskedName: Type.String(), birthDate: Type.String() });
