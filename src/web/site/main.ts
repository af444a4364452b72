// The citizen site's entry point (replaced by the real site).
const root = document.querySelector('main');
if (root) root.dataset.ready = '1';
