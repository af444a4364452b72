// The operator console's entry point (replaced by the real console).
const root = document.querySelector('main');
if (root) root.dataset.ready = '1';
