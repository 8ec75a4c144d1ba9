/*
 * The moderators' page (docs/moderation.md): works a tenant's moderation queue through the API of
 * this same origin. Plain JavaScript, no eval, no inline styles or scripts, no HTML from data:
 * every text is a text node. The moderator's token lives in sessionStorage, per tenant.
 */
(function () {
  'use strict';

  var TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
  var STATUSES = ['pending', 'flagged', 'removed'];
  var PAGE = 20;

  // ---- languages: the widget's five ----
  var STRINGS = {
    en: {
      title: 'Moderation', titleOf: 'Moderation: {tenant}',
      noTenant: 'Add the tenant to the address, for example /moderate?tenant=demo.',
      token: 'Moderator token', useToken: 'Use token', forget: 'Forget token',
      tokenHint: 'Kept in this tab only, until it closes.', status: 'Queue',
      pending: 'Pending', flagged: 'Flagged', removed: 'Removed', thread: 'Thread',
      page: 'Page',
      image: 'Image {i} of {n} in the comment by {name}',
      user: 'Author id', search: 'Text', filter: 'Filter', reason: 'Reason (optional)',
      approve: 'Approve', reject: 'Reject', remove: 'Remove', restore: 'Restore',
      more: 'Load more', loading: 'Loading…', empty: 'Nothing to moderate here.',
      items: 'Comments to moderate', by: 'by {name}', inThread: 'in {thread}',
      flags: '{n} flags', flagOne: '1 flag', removedText: '(text removed)',
      done_approve: 'Approved: {text}', done_reject: 'Rejected: {text}',
      done_remove: 'Removed: {text}', done_restore: 'Restored: {text}',
      failed: 'That did not work: {message}', offline: 'Cannot reach the server.',
      help: 'Keyboard shortcuts', helpButton: 'Shortcuts (?)', close: 'Close',
      k_approve: 'approve (restore in Removed)', k_reject: 'reject', k_remove: 'remove',
      k_next: 'next comment', k_prev: 'previous comment', k_help: 'show or hide this help',
      k_reason: 'write a reason', lastReason: 'Last reason: {reason}',
      arrived: 'New in the queue: {text}',
    },
    pt: {
      title: 'Moderação', titleOf: 'Moderação: {tenant}',
      noTenant: 'Adicione o tenant ao endereço, por exemplo /moderate?tenant=demo.',
      token: 'Token de moderador', useToken: 'Usar token', forget: 'Esquecer token',
      tokenHint: 'Guardado só nesta aba, até ela fechar.', status: 'Fila',
      pending: 'Pendentes', flagged: 'Denunciados', removed: 'Removidos', thread: 'Conversa',
      page: 'Página',
      image: 'Imagem {i} de {n} no comentário de {name}',
      user: 'Id do autor', search: 'Texto', filter: 'Filtrar', reason: 'Motivo (opcional)',
      approve: 'Aprovar', reject: 'Rejeitar', remove: 'Remover', restore: 'Restaurar',
      more: 'Carregar mais', loading: 'Carregando…', empty: 'Nada para moderar aqui.',
      items: 'Comentários a moderar', by: 'por {name}', inThread: 'em {thread}',
      flags: '{n} denúncias', flagOne: '1 denúncia', removedText: '(texto removido)',
      done_approve: 'Aprovado: {text}', done_reject: 'Rejeitado: {text}',
      done_remove: 'Removido: {text}', done_restore: 'Restaurado: {text}',
      failed: 'Não funcionou: {message}', offline: 'Não foi possível alcançar o servidor.',
      help: 'Atalhos de teclado', helpButton: 'Atalhos (?)', close: 'Fechar',
      k_approve: 'aprovar (restaurar em Removidos)', k_reject: 'rejeitar', k_remove: 'remover',
      k_next: 'próximo comentário', k_prev: 'comentário anterior',
      k_help: 'mostrar ou ocultar esta ajuda', k_reason: 'escrever um motivo', lastReason: 'Último motivo: {reason}',
      arrived: 'Novo na fila: {text}',
    },
    fr: {
      title: 'Modération', titleOf: 'Modération : {tenant}',
      noTenant: 'Ajoutez le tenant à l’adresse, par exemple /moderate?tenant=demo.',
      token: 'Jeton de modérateur', useToken: 'Utiliser le jeton', forget: 'Oublier le jeton',
      tokenHint: 'Gardé dans cet onglet seulement, jusqu’à sa fermeture.', status: 'File',
      pending: 'En attente', flagged: 'Signalés', removed: 'Retirés', thread: 'Fil',
      page: 'Page',
      image: 'Image {i} sur {n} du commentaire de {name}',
      user: 'Id de l’auteur', search: 'Texte', filter: 'Filtrer', reason: 'Motif (facultatif)',
      approve: 'Approuver', reject: 'Rejeter', remove: 'Retirer', restore: 'Rétablir',
      more: 'Charger la suite', loading: 'Chargement…', empty: 'Rien à modérer ici.',
      items: 'Commentaires à modérer', by: 'par {name}', inThread: 'dans {thread}',
      flags: '{n} signalements', flagOne: '1 signalement', removedText: '(texte retiré)',
      done_approve: 'Approuvé : {text}', done_reject: 'Rejeté : {text}',
      done_remove: 'Retiré : {text}', done_restore: 'Rétabli : {text}',
      failed: 'Cela n’a pas marché : {message}', offline: 'Le serveur est injoignable.',
      help: 'Raccourcis clavier', helpButton: 'Raccourcis (?)', close: 'Fermer',
      k_approve: 'approuver (rétablir dans Retirés)', k_reject: 'rejeter', k_remove: 'retirer',
      k_next: 'commentaire suivant', k_prev: 'commentaire précédent',
      k_help: 'afficher ou masquer cette aide', k_reason: 'écrire un motif', lastReason: 'Dernier motif : {reason}',
      arrived: 'Nouveau dans la file : {text}',
    },
    ja: {
      title: 'モデレーション', titleOf: 'モデレーション: {tenant}',
      noTenant: 'アドレスにテナントを追加してください(例: /moderate?tenant=demo)。',
      token: 'モデレータートークン', useToken: 'トークンを使う', forget: 'トークンを消す',
      tokenHint: 'このタブを閉じるまで、このタブにだけ保存されます。', status: 'キュー',
      pending: '保留中', flagged: '通報あり', removed: '削除済み', thread: 'スレッド',
      page: 'ページ',
      image: '{name} さんのコメントの画像 {i}/{n}',
      user: '投稿者 ID', search: 'テキスト', filter: '絞り込む', reason: '理由(任意)',
      approve: '承認', reject: '却下', remove: '削除', restore: '復元',
      more: 'さらに読み込む', loading: '読み込み中…', empty: 'モデレートするものはありません。',
      items: 'モデレート対象のコメント', by: '{name} さん', inThread: '{thread} 内',
      flags: '通報 {n} 件', flagOne: '通報 1 件', removedText: '(本文は削除済み)',
      done_approve: '承認しました: {text}', done_reject: '却下しました: {text}',
      done_remove: '削除しました: {text}', done_restore: '復元しました: {text}',
      failed: '失敗しました: {message}', offline: 'サーバーに接続できません。',
      help: 'キーボードショートカット', helpButton: 'ショートカット (?)', close: '閉じる',
      k_approve: '承認(削除済みでは復元)', k_reject: '却下', k_remove: '削除',
      k_next: '次のコメント', k_prev: '前のコメント', k_help: 'このヘルプを表示・非表示',
      k_reason: '理由を書く', lastReason: '前回の理由: {reason}',
      arrived: 'キューに追加: {text}',
    },
    ko: {
      title: '관리', titleOf: '관리: {tenant}',
      noTenant: '주소에 테넌트를 추가하세요. 예: /moderate?tenant=demo',
      token: '관리자 토큰', useToken: '토큰 사용', forget: '토큰 지우기',
      tokenHint: '이 탭을 닫을 때까지 이 탭에만 보관됩니다.', status: '대기열',
      pending: '대기 중', flagged: '신고됨', removed: '삭제됨', thread: '스레드',
      page: '페이지',
      image: '{name} 님 댓글의 이미지 {i}/{n}',
      user: '작성자 ID', search: '텍스트', filter: '필터', reason: '사유(선택)',
      approve: '승인', reject: '거부', remove: '삭제', restore: '복원',
      more: '더 불러오기', loading: '불러오는 중…', empty: '관리할 항목이 없습니다.',
      items: '관리할 댓글', by: '{name} 님', inThread: '{thread}에서',
      flags: '신고 {n}건', flagOne: '신고 1건', removedText: '(본문 삭제됨)',
      done_approve: '승인했습니다: {text}', done_reject: '거부했습니다: {text}',
      done_remove: '삭제했습니다: {text}', done_restore: '복원했습니다: {text}',
      failed: '실패했습니다: {message}', offline: '서버에 연결할 수 없습니다.',
      help: '키보드 단축키', helpButton: '단축키 (?)', close: '닫기',
      k_approve: '승인(삭제됨에서는 복원)', k_reject: '거부', k_remove: '삭제',
      k_next: '다음 댓글', k_prev: '이전 댓글', k_help: '이 도움말 보이기/숨기기',
      k_reason: '사유 쓰기', lastReason: '최근 사유: {reason}',
      arrived: '대기열에 추가됨: {text}',
    },
  };

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values && key in values ? String(values[key]) : all;
    });
  }

  // ---- small DOM helper: properties and text nodes only, never HTML ----
  function h(tag, props, children) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') el.textContent = value;
        else if (key === 'class') el.className = value;
        else if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
        else if (key === 'hidden' || key === 'disabled') el[key] = !!value;
        else el.setAttribute(key, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
      }
    });
    return el;
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return 'mod-' + Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
  }

  function short(text) {
    if (!text) return '';
    return text.length > 60 ? text.slice(0, 59) + '…' : text;
  }

  var params = new URLSearchParams(location.search);
  var pageLang = (params.get('lang') || navigator.language || 'en').toLowerCase().split('-')[0];
  var lang = STRINGS[pageLang] ? pageLang : 'en';
  var T = STRINGS[lang];
  var theme = params.get('theme');
  document.documentElement.lang = lang;
  document.documentElement.className = theme === 'light' || theme === 'dark' ? theme : 'auto';
  var dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });

  var tenant = params.get('tenant') || '';
  var app = document.getElementById('app');
  var main = h('main', {});
  app.appendChild(main);

  if (!TENANT_ID.test(tenant)) {
    document.title = T.title;
    main.appendChild(h('h1', { text: T.title }));
    main.appendChild(h('p', { class: 'error', role: 'alert', text: T.noTenant }));
    return;
  }
  document.title = format(T.titleOf, { tenant: tenant });

  var storageKey = 'comments.moderate.' + tenant;
  var state = {
    token: sessionStorage.getItem(storageKey) || '',
    status: STATUSES.indexOf(params.get('status')) >= 0 ? params.get('status') : 'pending',
    filters: { thread: params.get('thread') || '', user: params.get('user') || '', q: params.get('q') || '' },
    seq: 0,
    items: [],
    current: -1,
    nextCursor: null,
    busy: false,
  };

  // ---- the page ----
  var tokenInput = h('input', {
    id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'token-hint', size: 40,
  });
  tokenInput.value = state.token;
  var tokenForm = h('form', {
    class: 'row', 'aria-label': T.token,
    onsubmit: function (event) {
      event.preventDefault();
      state.token = tokenInput.value.trim();
      if (state.token) sessionStorage.setItem(storageKey, state.token);
      else sessionStorage.removeItem(storageKey);
      begin();
    },
  }, [
    h('label', { for: 'token', text: T.token }), tokenInput,
    h('button', { type: 'submit', class: 'primary', text: T.useToken }),
    h('button', {
      type: 'button', text: T.forget,
      onclick: function () {
        sessionStorage.removeItem(storageKey);
        disconnectLive();
        state.token = '';
        tokenInput.value = '';
        state.items = [];
        render();
        tokenInput.focus();
      },
    }),
    h('span', { id: 'token-hint', class: 'muted', text: T.tokenHint }),
  ]);

  var tabs = {};
  var tabRow = h('div', { class: 'row', role: 'group', 'aria-label': T.status },
    STATUSES.map(function (status) {
      tabs[status] = h('button', {
        type: 'button', 'data-status': status, text: T[status],
        onclick: function () {
          state.status = status;
          reload();
        },
      });
      return tabs[status];
    }));

  function field(id, label) {
    var input = h('input', { id: id, type: 'search', autocomplete: 'off' });
    return { input: input, el: h('div', { class: 'field' }, [h('label', { for: id, text: label }), input]) };
  }
  var threadField = field('f-thread', T.thread);
  var userField = field('f-user', T.user);
  var textField = field('f-q', T.search);
  threadField.input.value = state.filters.thread;
  userField.input.value = state.filters.user;
  textField.input.value = state.filters.q;
  var filterForm = h('form', {
    class: 'row', 'aria-label': T.filter,
    onsubmit: function (event) {
      event.preventDefault();
      state.filters = {
        thread: threadField.input.value.trim(),
        user: userField.input.value.trim(),
        q: textField.input.value.trim(),
      };
      reload();
    },
  }, [threadField.el, userField.el, textField.el, h('button', { type: 'submit', text: T.filter })]);

  var reasonInput = h('input', { id: 'reason', type: 'text', maxlength: 500, size: 40, autocomplete: 'off' });
  var reasonRow = h('div', { class: 'row' }, [h('label', { for: 'reason', text: T.reason }), reasonInput]);

  var live = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'result' });
  var error = h('p', { class: 'error', role: 'alert', id: 'error' });
  var heading = h('h2', { id: 'queue-heading', tabindex: '-1', text: T.items });
  var list = h('ul', { class: 'queue', 'aria-labelledby': 'queue-heading' });
  var more = h('button', { type: 'button', hidden: true, text: T.more, onclick: function () { load(true); } });
  var helpDialog = h('dialog', { 'aria-labelledby': 'help-title' }, [
    h('h2', { id: 'help-title', text: T.help }),
    h('dl', { class: 'keys' }, [
      ['a', T.k_approve], ['r', T.k_reject], ['x', T.k_remove], ['j / n', T.k_next],
      ['k / p', T.k_prev], ['e', T.k_reason], ['?', T.k_help],
    ].reduce(function (all, pair) {
      all.push(h('dt', {}, [h('kbd', { text: pair[0] })]), h('dd', { text: pair[1] }));
      return all;
    }, [])),
    h('button', { type: 'button', text: T.close, onclick: function () { helpDialog.close(); } }),
  ]);

  main.appendChild(h('div', { class: 'row' }, [
    h('h1', { text: format(T.titleOf, { tenant: tenant }) }),
    h('button', { type: 'button', text: T.helpButton, 'aria-haspopup': 'dialog', onclick: toggleHelp }),
  ]));
  [tokenForm, tabRow, filterForm, reasonRow, live, error, heading, list, more, helpDialog].forEach(
    function (el) { main.appendChild(el); });

  function toggleHelp() {
    if (helpDialog.open) helpDialog.close();
    else helpDialog.showModal();
  }

  function say(text) {
    error.textContent = '';
    live.textContent = text;
  }

  function fail(text) {
    live.textContent = '';
    error.textContent = text;
  }

  // ---- the API ----
  function request(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    if (body) {
      headers['Content-Type'] = 'application/json';
      headers['Idempotency-Key'] = randomKey();
    }
    return fetch('/api/v1/tenants/' + tenant + path, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store', credentials: 'omit',
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (!response.ok) {
          var message = json && json.error && json.error.message ? json.error.message : response.status + ' ' + response.statusText;
          var err = new Error(message);
          err.code = json && json.error ? json.error.code : null;
          err.status = response.status;
          throw err;
        }
        return json;
      });
    }, function () {
      throw new Error(T.offline);
    });
  }

  function queuePath(cursor) {
    var query = new URLSearchParams();
    query.set('status', state.status);
    query.set('limit', String(PAGE));
    Object.keys(state.filters).forEach(function (key) {
      if (state.filters[key]) query.set(key, state.filters[key]);
    });
    if (cursor) query.set('cursor', cursor);
    return '/moderation/queue?' + query.toString();
  }

  function reload() {
    state.seq++;
    state.items = [];
    state.current = -1;
    state.nextCursor = null;
    load(false);
  }

  function load(append) {
    render();
    if (!state.token) return;
    list.setAttribute('aria-busy', 'true');
    if (!append) say(T.loading);
    var seq = state.seq;
    request('GET', queuePath(append ? state.nextCursor : null)).then(function (page) {
      // An answer to a query the moderator has since changed is dropped.
      if (seq !== state.seq) return;
      // A comment that arrived live meanwhile is not listed twice.
      state.items = state.items.concat(page.items.filter(function (item) {
        return indexOfComment(item.comment.id) < 0;
      }));
      state.nextCursor = page.nextCursor || null;
      if (state.current < 0 && state.items.length) state.current = 0;
      say(state.items.length ? '' : T.empty);
      render();
      // Ready for the keyboard at once, unless the moderator is writing a reason.
      if (!append && document.activeElement !== reasonInput) focusCurrent();
    }, function (e) {
      if (seq !== state.seq) return;
      fail(format(T.failed, { message: e.message }));
      render();
      if (e.status === 401 || e.status === 403) tokenInput.focus();
    }).then(function () {
      list.removeAttribute('aria-busy');
    });
  }

  function act(action) {
    var item = state.items[state.current];
    if (!item || state.busy) return;
    var body = { action: action };
    var reason = reasonInput.value.trim();
    if (reason) body.reason = reason;
    state.busy = true;
    request('POST', '/comments/' + encodeURIComponent(item.comment.id) + '/moderation', body).then(function () {
      var index = state.items.indexOf(item);
      if (index >= 0) state.items.splice(index, 1);
      if (state.current >= state.items.length) state.current = state.items.length - 1;
      reasonInput.value = '';
      say(format(T['done_' + action], { text: short(item.comment.text) || item.comment.id }));
      render();
      focusCurrent();
      if (!state.items.length && state.nextCursor) load(true);
    }, function (e) {
      fail(format(T.failed, { message: e.message }));
    }).then(function () {
      state.busy = false;
    });
  }

  // ---- live: the queue follows this node's projection over a websocket (docs/live.md) ----
  var LAST_CLOSES = [4400, 4401, 4403, 4404, 1003, 1007, 1009];
  var socket = null;
  var liveFailures = 0;
  var liveTimer = null;
  var waitingLive = null;

  // Subscribes first, then reads the queue once the subscription runs: nothing falls between.
  // Without a websocket (or if it does not open in a few seconds) the queue is read anyway.
  function begin() {
    disconnectLive();
    if (!state.token || !window.WebSocket) {
      reload();
      return;
    }
    state.items = [];
    state.current = -1;
    render();
    say(T.loading);
    if (!connectLive()) {
      reload();
      return;
    }
    waitingLive = setTimeout(function () { waitingLive = null; reload(); }, 3000);
  }

  function connectLive() {
    var ws;
    try {
      ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
        '/live/v1/tenants/' + tenant + '/moderation/queue', ['comments.v1', 'bearer.' + state.token]);
    } catch (e) {
      return false; // a credential that cannot travel as a subprotocol: the page works without live
    }
    socket = ws;
    ws.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === 'subscribed' || message.type === 'resync') {
        liveFailures = 0;
        if (waitingLive) { clearTimeout(waitingLive); waitingLive = null; }
        reload();
      } else if (message.type === 'queue-changed') {
        applyChange(message.payload);
      }
    };
    ws.onclose = function (event) {
      if (socket !== ws) return;
      socket = null;
      if (LAST_CLOSES.indexOf(event.code) >= 0) {
        // Refused (a bad or dismissed token): the API's read says why.
        if (waitingLive) { clearTimeout(waitingLive); waitingLive = null; }
        reload();
        return;
      }
      var delay = Math.min(30000, 1000 * Math.pow(2, liveFailures++));
      liveTimer = setTimeout(connectLive, delay / 2 + Math.random() * delay / 2);
    };
    return true;
  }

  function disconnectLive() {
    if (liveTimer) { clearTimeout(liveTimer); liveTimer = null; }
    if (waitingLive) { clearTimeout(waitingLive); waitingLive = null; }
    if (socket) {
      var ws = socket;
      socket = null;
      ws.close(1000, 'bye');
    }
  }

  function indexOfComment(id) {
    for (var i = 0; i < state.items.length; i++) {
      if (state.items[i].comment.id === id) return i;
    }
    return -1;
  }

  // The filters as the API applies them, for comments that arrive live.
  function shown(item) {
    var f = state.filters;
    var author = item.comment.author;
    if (f.thread && item.thread !== f.thread) return false;
    if (f.user && (!author || author.id !== f.user)) return false;
    if (f.q && (item.comment.text || '').toLowerCase().indexOf(f.q.toLowerCase()) < 0) return false;
    return true;
  }

  // A comment entered this tab's queue (listed first), changed in it, or left it.
  function applyChange(change) {
    var item = change.item;
    var index = indexOfComment(item.comment.id);
    var belongs = change.queue === state.status && shown(item);
    var focused = list.contains(document.activeElement);
    if (index >= 0 && belongs) {
      state.items[index] = item;
    } else if (index >= 0) {
      state.items.splice(index, 1);
      if (index < state.current || state.current >= state.items.length) state.current--;
      if (state.current < 0 && state.items.length) state.current = 0;
    } else if (belongs) {
      state.items.unshift(item);
      state.current = state.current < 0 ? 0 : state.current + 1;
      say(format(T.arrived, { text: short(item.comment.text) || item.comment.id }));
    } else {
      return;
    }
    render();
    if (focused) focusCurrent();
  }

  // ---- rendering ----
  function actionsFor(status) {
    return status === 'removed' ? ['restore'] : status === 'flagged' ? ['approve', 'remove'] : ['approve', 'reject', 'remove'];
  }

  // The page the comment was written on: its title (else its URL) as text, linking to it. The
  // server took only absolute http(s) URLs; checked again, so no other scheme can become a link.
  function pageLink(page) {
    if (!page || typeof page.url !== 'string' || !/^https?:\/\//i.test(page.url)) return null;
    return h('span', { class: 'muted page' }, [
      ' · ' + T.page + ': ',
      h('a', {
        href: page.url, rel: 'noopener noreferrer nofollow', target: '_blank',
        title: page.url, text: page.title || page.url,
      }),
    ]);
  }

  // The comment's images as small thumbnails, each a link to the image at full size. Only a path of
  // this origin's CDN is shown: the page's policy loads images from itself alone.
  var CDN_PATH = /^\/cdn\/v1\/[a-z0-9-]+\/[0-9a-f]{32}$/;

  function thumbnails(c) {
    var media = (c.media || []).filter(function (m) { return m && CDN_PATH.test(m.url); });
    if (!media.length) return null;
    var name = c.author ? c.author.name : c.id;
    return h('div', { class: 'thumbs' }, media.map(function (m, i) {
      var alt = format(T.image, { i: i + 1, n: media.length, name: name });
      var link = h('a', { href: m.url, rel: 'noopener noreferrer', target: '_blank', title: alt });
      var img = h('img', {
        src: m.url, alt: alt, loading: 'lazy', decoding: 'async',
        width: m.width || null, height: m.height || null,
        // An image the CDN cannot serve (removed since) leaves its description, not a broken icon.
        onerror: function () { link.textContent = alt; },
      });
      link.appendChild(img);
      return link;
    }));
  }

  function renderItem(item, index) {
    var c = item.comment;
    var id = 'item-' + c.id;
    var flags = item.flags === 1 ? T.flagOne : format(T.flags, { n: item.flags });
    var reasons = (item.flagReasons || []).filter(Boolean);
    return h('li', {
      id: id, tabindex: '-1', class: index === state.current ? 'current' : '',
      'data-comment': c.id, 'aria-current': index === state.current ? 'true' : null,
      'aria-labelledby': id + '-who', 'aria-describedby': id + '-text',
      onfocus: function () { select(index, false); },
    }, [
      h('div', { id: id + '-who' }, [
        h('span', { class: 'author', text: c.author ? c.author.name : '' }),
        c.author ? h('span', { class: 'muted', text: ' (' + c.author.id + ')' }) : null,
        h('span', { class: 'muted', text: ' · ' + format(T.inThread, { thread: item.thread }) }),
        pageLink(item.page),
        c.postedAt ? h('span', { class: 'muted' }, [' · ', h('time', { datetime: c.postedAt, text: dates.format(new Date(c.postedAt)) })]) : null,
      ]),
      h('p', { class: 'text', id: id + '-text', text: c.text === null || c.text === undefined ? T.removedText : c.text }),
      thumbnails(c),
      item.flags ? h('p', { class: 'flags', text: flags + (reasons.length ? ': ' + reasons.join(' · ') : '') }) : null,
      item.reason ? h('p', { class: 'muted', text: format(T.lastReason, { reason: item.reason }) }) : null,
      h('div', { class: 'actions' }, actionsFor(state.status).map(function (action) {
        return h('button', {
          type: 'button', 'data-action': action, text: T[action],
          'aria-label': T[action] + ': ' + short(c.text || c.id),
          onclick: function () { select(index, false); act(action); },
        });
      })),
    ]);
  }

  function render() {
    tokenForm.hidden = false;
    STATUSES.forEach(function (status) {
      tabs[status].setAttribute('aria-pressed', String(status === state.status));
    });
    list.textContent = '';
    state.items.forEach(function (item, index) {
      list.appendChild(renderItem(item, index));
    });
    more.hidden = !state.nextCursor;
  }

  function select(index, focus) {
    if (index < 0 || index >= state.items.length) return;
    if (state.current !== index) {
      state.current = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.className = i === index ? 'current' : '';
        if (i === index) li.setAttribute('aria-current', 'true');
        else li.removeAttribute('aria-current');
      });
    }
    if (focus) focusCurrent();
  }

  function focusCurrent() {
    var li = list.children[state.current];
    if (li) {
      li.focus();
      li.scrollIntoView({ block: 'nearest' });
    } else {
      heading.focus();
    }
  }

  // ---- keyboard: single keys, never while typing in a field ----
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var tag = event.target && event.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      if (event.key === 'Escape' && event.target === reasonInput) focusCurrent();
      return;
    }
    if (helpDialog.open && event.key !== '?') return;
    var handled = true;
    switch (event.key) {
      case 'a': act(state.status === 'removed' ? 'restore' : 'approve'); break;
      case 'r': if (state.status === 'pending') act('reject'); break;
      case 'x': if (state.status !== 'removed') act('remove'); break;
      case 'j': case 'n': select(Math.min(state.current + 1, state.items.length - 1), true); break;
      case 'k': case 'p': select(Math.max(state.current - 1, 0), true); break;
      case 'e': reasonInput.focus(); break;
      case '?': toggleHelp(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  if (state.token) {
    begin();
  } else {
    render();
    tokenInput.focus();
  }

  window.CommentsModerate = { state: state };
})();
