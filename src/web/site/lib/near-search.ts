import { fill, lang } from '../../shared/i18n.ts';
import { byId } from './page.ts';
import { findPlace, type SidoInfo } from './regions.ts';

/**
 * English for the near-me button and typed-place form (`near-search-form` in `page-parts.ts`,
 * where their Korean is); a page spreads it into its own English.
 */
export const NEAR_SEARCH_EN: Readonly<Record<string, string>> = {
  'f.nearMe': 'Search near where I am',
  'f.place': 'Search by place name (e.g. Suwon, Haeundae)',
  'f.placeGo': 'Search near this place',
};

/** The words the near-me and typed-place searches show. */
export interface NearWords {
  me: string;
  noGeo: string;
  noPlace: string;
}

/**
 * Wires the page's `#near-me` button (the device's location) and `#place-form` (a typed place,
 * found among the regions) to `search`; problems go to `#summary` in plain words.
 */
export function wireNearSearch(regions: () => SidoInfo[], words: () => NearWords, search: (lat: number, lng: number, label: string) => void): void {
  byId('near-me').addEventListener('click', () => {
    if (!navigator.geolocation) {
      byId('summary').textContent = words().noGeo;
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => search(p.coords.latitude, p.coords.longitude, words().me),
      () => {
        byId('summary').textContent = words().noGeo;
      },
      { timeout: 10_000, maximumAge: 300_000 },
    );
  });
  byId('place-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const typed = byId<HTMLInputElement>('place').value;
    const place = findPlace(regions(), typed);
    if (!place) {
      byId('summary').textContent = fill(words().noPlace, { q: typed });
      return;
    }
    search(place.lat, place.lng, `${place.sido} ${lang() === 'en' ? place.nameEn : place.name}`);
  });
}
