/* Web chat widget: the conversation the Telegram and Zalo bots hold, over /api/widget.
 *
 * Safety: everything shown comes from the server or the citizen (FAQ texts and questions may
 * contain markup), so the page is built with createElement and textContent, never innerHTML.
 * The session id lives in localStorage (consent is remembered across visits); the transcript
 * in sessionStorage, so a reload shows it but a shared computer forgets it with the tab.
 */
(() => {
  'use strict';

  const API = '/api/widget/';
  const SESSION_KEY = 'hoidap.session';
  const TRANSCRIPT_KEY = 'hoidap.transcript';
  const KEEP = 80; // messages kept for a reload
  const TIMEOUT_MS = 45000;
  const TEXT = {
    unreachable: 'Không kết nối được máy chủ. Bạn vui lòng kiểm tra kết nối mạng rồi thử lại sau giây lát.',
    keptQuestion: ' Câu hỏi của bạn vẫn còn trong ô nhập, bấm “Gửi” để gửi lại.',
    failed: 'Xin lỗi, hệ thống đang gặp sự cố nên chưa trả lời được. Bạn vui lòng thử lại sau ít phút.',
    expired: 'Nút này không còn dùng được. Bạn vui lòng nhập lại câu hỏi của mình.',
    waiting: 'Đang tìm câu trả lời…',
    you: 'Bạn: ',
    bot: 'Trợ lý: ',
    commentLabel: 'Góp ý thêm (không bắt buộc)',
    commentSend: 'Gửi góp ý',
  };

  const log = document.getElementById('log');
  const form = document.getElementById('ask');
  const input = document.getElementById('question');
  const send = form.querySelector('.send');
  const status = document.getElementById('status');

  // --- storage (may be refused: private windows, blocked third-party storage in a frame) ---

  function stored(area, key) {
    try { return window[area].getItem(key); } catch (e) { return null; }
  }
  function store(area, key, value) {
    try {
      if (value === null) window[area].removeItem(key); else window[area].setItem(key, value);
    } catch (e) { /* kept in memory only */ }
  }
  function newSession() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  function loadSession() {
    const id = stored('localStorage', SESSION_KEY);
    if (id && /^[A-Za-z0-9_-]{16,64}$/.test(id)) return id;
    const fresh = newSession();
    store('localStorage', SESSION_KEY, fresh);
    return fresh;
  }
  function loadTranscript() {
    try {
      const items = JSON.parse(stored('sessionStorage', TRANSCRIPT_KEY) || '[]');
      return Array.isArray(items) ? items.filter((m) => m && typeof m.text === 'string') : [];
    } catch (e) { return []; }
  }

  let session = loadSession();
  let items = loadTranscript();
  let nextId = items.reduce((n, m) => Math.max(n, Number(m.id) || 0), 0) + 1;
  let busy = false;

  function save() {
    items = items.slice(-KEEP);
    store('sessionStorage', TRANSCRIPT_KEY, JSON.stringify(items));
  }

  // --- rendering -------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function isWebLink(url) {
    return typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url);
  }
  function link(url, text) {
    const a = el('a', '', text);
    a.href = url;
    a.target = '_blank'; // inside a portal's frame a link must not replace the chat
    a.rel = 'noopener noreferrer';
    return a;
  }
  // Text with its web addresses as links; every piece is a text node.
  function richText(text) {
    const p = el('p', 'msg-text');
    const pattern = /https?:\/\/[^\s<>"']+/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const url = match[0].replace(/[.,;:!?)\]]+$/, '');
      p.append(text.slice(last, match.index), link(url, url));
      last = match.index + url.length;
    }
    p.append(text.slice(last));
    return p;
  }
  function buttonOf(spec) {
    if (typeof spec.action === 'string') {
      const b = el('button', '', spec.label);
      b.type = 'button';
      b.dataset.action = spec.action;
      if (typeof spec.chosen === 'boolean') b.setAttribute('aria-pressed', String(spec.chosen));
      return b;
    }
    if (isWebLink(spec.url)) return link(spec.url, spec.label);
    return el('span', 'state', spec.label); // a state, e.g. "✅ Đã chuyển cho cán bộ"
  }
  function rowsOf(rows) {
    const box = el('div', 'rows');
    for (const row of rows || []) {
      const line = el('div', 'row');
      for (const spec of row) line.append(buttonOf(spec));
      if (line.childElementCount) box.append(line);
    }
    return box;
  }
  function commentForm(item) {
    const formEl = el('form', 'comment');
    const id = 'comment-' + item.id;
    const label = el('label', '', TEXT.commentLabel);
    label.htmlFor = id;
    const area = el('textarea');
    area.id = id;
    area.maxLength = 2000;
    area.rows = 3;
    const submit = el('button', '', TEXT.commentSend);
    submit.type = 'submit';
    formEl.append(label, area, submit);
    formEl.addEventListener('submit', (event) => {
      event.preventDefault();
      comment(item, area);
    });
    return formEl;
  }
  function render(item) {
    const node = el('div', 'msg ' + item.who);
    node.dataset.id = item.id;
    const speaker = { user: TEXT.you, bot: TEXT.bot }[item.who];
    if (speaker) node.append(el('span', 'visually-hidden', speaker));
    if (item.title) node.append(el('p', 'msg-title', item.title));
    node.append(item.who === 'bot' ? richText(item.text) : el('p', 'msg-text', item.text));
    if (item.rows && item.rows.length) node.append(rowsOf(item.rows));
    if (item.commentFor && !item.commented) node.append(commentForm(item));
    return node;
  }
  function nodeOf(item) {
    return log.querySelector('[data-id="' + item.id + '"]');
  }
  function rerender(item) {
    const old = nodeOf(item);
    if (old) old.replaceWith(render(item));
  }
  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }
  function add(item, keep) {
    item.id = nextId++;
    if (keep !== false) {
      items.push(item);
      save();
    }
    const node = render(item);
    log.append(node);
    scrollDown();
    return node;
  }
  function note(text) {
    return add({ who: 'note', text }, false); // not kept: it is about this moment only
  }

  // --- talking to the server ---------------------------------------------------------------

  class Failure extends Error {
    constructor(text, unreachable) {
      super(text);
      this.text = text;
      this.unreachable = Boolean(unreachable);
    }
  }

  async function post(path, body) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(API + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ session_id: session, ...body }),
        signal: timeout.signal,
      });
    } catch (e) {
      throw new Failure(TEXT.unreachable, true);
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try { data = await response.json(); } catch (e) { /* a proxy's error page, not JSON */ }
    if (response.ok && data && Array.isArray(data.messages)) return data;
    throw failureOf(response.status, data);
  }
  function failureOf(code, data) {
    const detail = data && Array.isArray(data.detail) ? data.detail[0] : null;
    // 404 and 429 carry the sentence to show; anything else gets ours.
    if ((code === 404 || code === 429) && detail && typeof detail.msg === 'string') return new Failure(detail.msg);
    if (code === 404) return new Failure(TEXT.expired);
    if (code === 502 || code === 503 || code === 504) return new Failure(TEXT.unreachable, true);
    return new Failure(TEXT.failed);
  }

  function setBusy(on, what) {
    busy = on;
    send.disabled = on;
    log.setAttribute('aria-busy', on ? 'true' : 'false');
    status.textContent = on ? what : '';
  }
  // Kept when the feedback row changes: links, and the cases listed under a procedure card.
  function keptRows(rows) {
    const kept = (b) => isWebLink(b.url) || (typeof b.action === 'string' && b.action.startsWith('q:'));
    return (rows || []).filter((row) => row.length && row.every(kept));
  }
  // Shows a reply; returns the node of its last message (for focus).
  function apply(reply, source) {
    if (reply.reset) {
      items = [];
      log.replaceChildren();
      session = newSession(); // the erased data stay unlinked from what follows
      store('localStorage', SESSION_KEY, session);
      source = null;
    }
    if (source && Array.isArray(reply.update)) {
      source.rows = keptRows(source.rows).concat(reply.update);
      save();
      rerender(source);
    }
    let last = null;
    for (const m of reply.messages) {
      last = add({ who: 'bot', text: m.text, title: m.title, rows: m.rows, commentFor: m.comment_for });
    }
    if (reply.reset) save();
    return last;
  }
  // After a tap, the next step is often in the new message (a reason, the comment box, a
  // chip); an answer is for reading (the log reads it out), so then back to the question box.
  function focusAfter(node) {
    const next = node && !node.querySelector('.msg-title') && node.querySelector('textarea, button, a');
    (next || input).focus();
  }

  async function ask(text) {
    const pending = add({ who: 'user', text });
    pending.classList.add('pending');
    setBusy(true, TEXT.waiting);
    try {
      const reply = await post('message', { message: text });
      pending.classList.remove('pending');
      apply(reply, null);
    } catch (failure) {
      items = items.filter((m) => m.id !== Number(pending.dataset.id));
      save();
      pending.remove();
      if (!input.value) input.value = text; // kept, so the citizen only presses "Gửi" again
      note(textOf(failure) + (failure.unreachable ? TEXT.keptQuestion : ''));
    } finally {
      setBusy(false);
    }
  }

  function textOf(failure) {
    return failure instanceof Failure ? failure.text : TEXT.failed;
  }

  // A tap, a command or a comment; resolves to whether it went through.
  async function run(path, body, source, control) {
    if (busy) return false;
    const row = control && control.closest('.row');
    const disabled = row ? Array.from(row.querySelectorAll('button')) : [];
    disabled.forEach((b) => { b.disabled = true; });
    setBusy(true, '');
    try {
      const reply = await post(path, body);
      setBusy(false);
      focusAfter(apply(reply, source));
      return true;
    } catch (failure) {
      setBusy(false);
      note(textOf(failure));
      if (control && control.isConnected) control.focus();
      return false;
    } finally {
      disabled.forEach((b) => { b.disabled = false; }); // a chip may be chosen again
    }
  }

  async function comment(item, area) {
    const text = area.value.trim();
    if (!text) { area.focus(); return; }
    const sent = await run('comment', { interaction_id: item.commentFor, comment: text }, null, null);
    if (!sent) return; // the text stays in the box for another try
    item.commented = true;
    save();
    rerender(item);
  }

  // --- events --------------------------------------------------------------------------------

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = '';
    input.focus();
    ask(text);
  });
  log.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button || busy) return;
    const source = items.find((m) => m.id === Number(button.closest('.msg').dataset.id));
    run('action', { action: button.dataset.action }, source || null, button);
  });
  document.querySelector('.tools').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-command]');
    if (button) run('command', { command: button.dataset.command }, null, button);
  });
  // In a portal's frame: Escape asks the embedding script to close the chat (the message says
  // nothing private, so any parent may hear it), and opening the chat puts the cursor in the box.
  if (document.documentElement.classList.contains('embed') && window.parent !== window) {
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') window.parent.postMessage('hoidap:close', '*');
    });
    window.addEventListener('focus', () => {
      if (document.activeElement === document.body) input.focus();
    });
    if (document.hasFocus()) input.focus();
  }

  // --- start: the transcript of this tab, or the greeting ------------------------------------

  for (const item of items) log.append(render(item));
  scrollDown();
  if (!items.length) {
    setBusy(true, '');
    post('command', { command: 'start' })
      .then((reply) => apply(reply, null))
      .catch((failure) => note(textOf(failure)))
      .finally(() => setBusy(false));
  }
})();
