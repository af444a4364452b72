import { h } from './dom.ts';

/**
 * Asks the operator to confirm an action that changes what millions of people see (pause,
 * resume, admission bounds), in a modal <dialog>: keyboard-usable (Escape cancels, focus stays
 * inside), and "취소" has the focus first, so a stray Enter changes nothing.
 */
export function confirmAction(title: string, lines: string[], confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'secondary' }, '취소');
    const confirm = h('button', { type: 'button', class: 'danger' }, confirmLabel);
    const titleId = `confirm-title-${Date.now()}`;
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      ...lines.map((line) => h('p', {}, line)),
      h('div', { class: 'actions' }, cancel, confirm),
    );
    const finish = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => finish(false));
    confirm.addEventListener('click', () => finish(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
