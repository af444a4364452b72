import { api, ApiError } from './api.ts';
import { h, replace } from './dom.ts';

/** The login form; `onLoggedIn` runs once the server has set the console's cookie (the clinic portal uses it too, with its own title). */
export function loginView(root: HTMLElement, onLoggedIn: () => void, title = '운영자 로그인'): void {
  const username = h('input', { type: 'text', id: 'username', autocomplete: 'username', required: true, maxlength: 128 });
  const password = h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const result = h('div', { role: 'alert', class: 'result' });
  const submit = h('button', { type: 'submit' }, '로그인');
  const form = h(
    'form',
    { class: 'login' },
    h('div', { class: 'field' }, h('label', { for: 'username' }, '아이디'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, '비밀번호'), password),
    submit,
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api('POST', '/admin/login', { body: { username: username.value, password: password.value } });
      password.value = '';
      onLoggedIn();
    } catch (error) {
      const locked = error instanceof ApiError && error.retryAfterSeconds ? ` ${Math.ceil(error.retryAfterSeconds / 60)}분 뒤에 다시 시도하세요.` : '';
      replace(result, h('p', { class: 'error-text' }, error instanceof ApiError ? `${error.message}${locked}` : String(error)));
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, h('h1', { tabindex: -1 }, title), form);
  username.focus();
}
