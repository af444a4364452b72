import { inLang } from '../../shared/i18n.ts';
import { normaliseBirthDate } from '../../shared/format.ts';
import { byId } from './page.ts';

const M = {
  ko: { missingName: '이름을 입력해 주세요.', badBirth: '생년월일을 숫자 8자리로 입력해 주세요. 예: 19660819', badPhone: '휴대폰 번호를 010-1234-5678처럼 입력해 주세요.' },
  en: { missingName: 'Enter the name.', badBirth: 'Enter the birth date as 8 digits, e.g. 19660819.', badPhone: 'Enter the mobile number like 010-1234-5678.' },
};

export interface ClaimedIdentity {
  name: string;
  birthDate: string;
  phone: string;
}

/**
 * Reads a name / birth date / phone form (inputs `<prefix>name`, `<prefix>birth`, `<prefix>phone`)
 * checked as the API checks it; on a problem, says which field in `<prefix>problem` and focuses it.
 */
export function readIdentity(prefix = ''): ClaimedIdentity | null {
  const m = inLang(M);
  const name = byId<HTMLInputElement>(`${prefix}name`);
  const birth = byId<HTMLInputElement>(`${prefix}birth`);
  const phone = byId<HTMLInputElement>(`${prefix}phone`);
  const box = byId(`${prefix}problem`);
  const birthDate = normaliseBirthDate(birth.value);
  const digits = phone.value.replace(/\D/g, '');
  const [problem, field] = name.value.trim() === '' ? [m.missingName, name] : !birthDate ? [m.badBirth, birth] : !/^01[016789]\d{7,8}$/.test(digits) ? [m.badPhone, phone] : [null, null];
  for (const input of [name, birth, phone]) input.removeAttribute('aria-invalid');
  box.textContent = problem ?? '';
  box.hidden = problem === null;
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    return null;
  }
  return { name: name.value.trim(), birthDate: birthDate ?? '', phone: digits.replace(/^(\d{3})(\d{3,4})(\d{4})$/, '$1-$2-$3') };
}
