import { sql, type RawBuilder } from 'kysely';

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km from a point to the institution aliased `i`. */
export function distanceExpr(lat: number, lng: number): RawBuilder<number> {
  return sql<number>`(${2 * EARTH_RADIUS_KM}::float8 * asin(sqrt(
    power(sin(radians(i.lat - ${lat}::float8) / 2), 2)
    + cos(radians(${lat}::float8)) * cos(radians(i.lat)) * power(sin(radians(i.lng - ${lng}::float8) / 2), 2))))`;
}
