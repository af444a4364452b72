// The waiting page's "leave the queue": confirmed first, then the place given up for good
// (DELETE …/queue/tickets/me, docs/api-extensions.md). Joining again is a new place at the back.
import { api, ApiError } from '../../shared/api.ts';
import { showError } from '../../shared/error-words.ts';
import { fill, inLang } from '../../shared/i18n.ts';
import { formatCount } from '../../shared/format.ts';
import { byId } from './page.ts';

const LEAVE_WORDS = {
  ko: {
    confirm: '정말 대기열에서 나가시겠습니까? 지금 순서({position}번)는 다른 분들에게 넘어가고 되돌릴 수 없습니다. 다시 들어오시면 맨 뒤에서 새 순서를 받습니다.',
    left: '대기열에서 나갔습니다. {position}번 순서는 포기되었습니다.',
  },
  en: {
    confirm: 'Leave the queue? Your place (number {position}) goes to the people behind you and cannot be taken back. If you join again you get a new place at the back.',
    left: 'You left the queue. Place number {position} was given up.',
  },
};

/** The English of the page's fixed leave texts (`data-t`). */
export const LEAVE_EN: Record<string, string> = {
  'leave.button': 'Leave the queue',
  'leave.hint': 'If you no longer want to book now, give your place to the people behind you.',
  'leave.rejoin': 'Join again (at the back)',
};

/**
 * Wires the leave button: `current()` is the person's number now (null in a pre-queue); `onLeft`
 * stops the page's polling and shows the "you left" box, whose button joins again (`rejoin`).
 */
export function setUpLeave(base: string, current: () => number | null, onLeft: () => void, rejoin: () => void): void {
  const button = byId<HTMLButtonElement>('leave');
  const words = () => inLang(LEAVE_WORDS);
  button.addEventListener('click', () => {
    const position = current();
    if (!window.confirm(fill(words().confirm, { position: position === null ? '–' : formatCount(position) }))) return;
    button.disabled = true;
    void api<{ left: boolean; position: number }>('DELETE', `${base}/queue/tickets/me`)
      .then((answer) => {
        onLeft();
        byId('left-text').textContent = fill(words().left, { position: formatCount(answer.position) });
        byId('queue').hidden = true;
        byId('left').hidden = false;
      })
      .catch((error: unknown) => {
        // Already served, not drawn yet: said plainly, and the place is kept as it was.
        showError(byId('error'), error);
        if (error instanceof ApiError && error.code === 'YEYAK_ERR_TICKET_LEFT') onLeft();
      })
      .finally(() => (button.disabled = false));
  });
  byId('rejoin').addEventListener('click', () => {
    byId('left').hidden = true;
    byId('error').hidden = true;
    rejoin();
  });
}
