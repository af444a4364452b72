import { Type, type Static } from 'typebox';
import { Id } from '../../http/schemas.ts';

export const InstitutionBody = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    address: Type.String({ minLength: 1, maxLength: 300 }),
    sido: Type.String({ minLength: 1, maxLength: 50 }),
    sigungu: Type.String({ minLength: 1, maxLength: 50 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);
export type InstitutionBody = Static<typeof InstitutionBody>;
