/* One-line embed of the chat for a portal:
 *
 *   <script src="https://HOST/chat/embed.js" defer></script>
 *
 * Adds a floating button that opens the chat, an iframe of HOST/chat?embed=1 (created on the
 * first open, so the portal's pages load nothing more until a citizen wants the chat). It runs
 * on the portal's page, so it adds only its own two elements and styles them through the CSSOM
 * (allowed under a strict style-src, unlike style attributes or <style> blocks). Optional:
 * data-label="…" on the script tag changes the button's text.
 */
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || !script.src || window.hoidapWidget) return; // once per page
  window.hoidapWidget = {};
  const origin = new URL(script.src).origin;
  const label = '💬 ' + (script.dataset.label || 'Hỏi đáp thủ tục');
  const closeLabel = '✕ Đóng hỏi đáp';
  const narrow = window.matchMedia('(max-width: 480px)');
  let frame = null;

  function css(node, rules) {
    for (const [name, value] of Object.entries(rules)) node.style.setProperty(name, value);
  }

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'hoidap-chat-frame');
  css(button, {
    position: 'fixed', right: '16px', bottom: '16px', 'z-index': '2147483000',
    padding: '12px 18px', border: '0', 'border-radius': '999px', cursor: 'pointer',
    background: '#0b5cad', color: '#fff', font: '600 16px/1.2 system-ui, sans-serif',
    'box-shadow': '0 2px 10px rgba(0,0,0,.25)', 'outline-offset': '3px',
  });

  function place() {
    if (!frame) return;
    const common = { position: 'fixed', 'z-index': '2147483000', border: '1px solid #c9d1d9', background: '#fff' };
    if (narrow.matches) { // a phone: the chat takes the screen above the button
      css(frame, { ...common, left: '0', right: '0', top: '0', bottom: 'auto', width: '100%',
        height: 'calc(100% - 72px)', 'border-radius': '0', 'box-shadow': 'none' });
    } else {
      css(frame, { ...common, left: 'auto', right: '16px', top: 'auto', bottom: '80px',
        width: 'min(400px, calc(100vw - 32px))', height: 'min(640px, calc(100vh - 112px))',
        'border-radius': '12px', 'box-shadow': '0 6px 24px rgba(0,0,0,.22)' });
    }
  }
  function open() {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'hoidap-chat-frame';
      frame.title = 'Hỏi đáp thủ tục hành chính';
      frame.src = origin + '/chat?embed=1';
      document.body.append(frame);
      place();
    }
    frame.hidden = false;
    css(frame, { display: 'block' });
    button.setAttribute('aria-expanded', 'true');
    button.textContent = closeLabel;
    frame.focus();
  }
  function close() {
    if (!frame || frame.hidden) return;
    frame.hidden = true;
    css(frame, { display: 'none' });
    button.setAttribute('aria-expanded', 'false');
    button.textContent = label;
    button.focus();
  }

  button.addEventListener('click', () => (button.getAttribute('aria-expanded') === 'true' ? close() : open()));
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
  // Escape pressed inside the chat: only our own frame may ask.
  window.addEventListener('message', (event) => {
    if (frame && event.source === frame.contentWindow && event.origin === origin && event.data === 'hoidap:close') close();
  });
  narrow.addEventListener('change', place);

  window.hoidapWidget = { open, close }; // for a portal's own "ask us" links
  if (document.body) document.body.append(button);
  else document.addEventListener('DOMContentLoaded', () => document.body.append(button));
})();
